export { FakeProviderServer } from './src/fake-provider.server';
export type {
  Fault,
  FakeProviderOptions,
  RecordedRequest,
  Reply,
  ReplyFn,
  ReplyInput,
  ToolCall,
} from './src/fake-provider.server';
export { FakeOpenAIServer, fakeEmbedding } from './src/fake-openai.server';
export { FakeAnthropicServer } from './src/fake-anthropic.server';
export * from './src/free-port';
export { FakeQdrantServer } from './src/fake-qdrant.server';
export type { QdrantRecordedRequest } from './src/fake-qdrant.server';
