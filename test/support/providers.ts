import { FakeAnthropicServer, FakeOpenAIServer } from '../../libs/testing';

export interface FakeProviders {
  openai: FakeOpenAIServer;
  anthropic: FakeAnthropicServer;
  /** Environment that points the gateway's SDK clients at the fake servers. */
  env: Record<string, string>;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeProviders(): Promise<FakeProviders> {
  const openai = await FakeOpenAIServer.start();
  const anthropic = await FakeAnthropicServer.start();
  return {
    openai,
    anthropic,
    env: {
      OPENAI_API_KEY: 'sk-test-openai',
      OPENAI_BASE_URL: openai.baseUrl,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: anthropic.baseUrl,
      LLM_MAX_RETRIES: '0',
    },
    reset() {
      openai.reset();
      anthropic.reset();
    },
    async close() {
      await Promise.all([openai.close(), anthropic.close()]);
    },
  };
}
