export { FakeProviderServer } from './src/fake-provider.server';
export type {
  Fault,
  FakeProviderOptions,
  RecordedRequest,
  ReplyInput,
} from './src/fake-provider.server';
export { FakeOpenAIServer } from './src/fake-openai.server';
export { FakeAnthropicServer } from './src/fake-anthropic.server';
export * from './src/free-port';
export { FakeQdrantServer } from './src/fake-qdrant.server';
export type { QdrantRecordedRequest } from './src/fake-qdrant.server';
