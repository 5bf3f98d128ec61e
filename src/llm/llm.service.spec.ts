import { AppConfig, ProviderName } from '../config/app-config';
import { ChatCompletion, ChatRequest } from './chat.types';
import { LlmProvider } from './llm-provider.port';
import { LlmService } from './llm.service';
import { ModelRouter } from './model-router';
import { PriceTable } from './price-table';
import { TokenCounter } from './token-counter';
import { isolatedMetrics } from '../../test/support/metrics';

/** A provider double: the service's own logic (usage fallback, cost, configuration) is under test. */
class ScriptedProvider implements LlmProvider {
  readonly apis = ['chat.completions'] as const;
  constructor(
    readonly configured: boolean,
    private readonly completion: ChatCompletion,
    readonly name: ProviderName = 'openai',
  ) {}
  complete(): Promise<ChatCompletion> {
    return Promise.resolve(structuredClone(this.completion));
  }
  send(): Promise<Response> {
    return Promise.resolve(Response.json(this.completion));
  }
}

const request: ChatRequest = {
  provider: 'openai',
  model: 'gpt-4o-mini',
  system: undefined,
  messages: [{ role: 'user', content: 'How many legs does a spider have?' }],
  params: {},
};

function serviceWith(provider: LlmProvider): LlmService {
  const prices = new PriceTable();
  return new LlmService(
    [provider],
    new ModelRouter(AppConfig.fromEnvironment({}), prices),
    prices,
    new TokenCounter(),
    isolatedMetrics().metrics,
    AppConfig.fromEnvironment({}),
  );
}

describe('LlmService', () => {
  const answered: ChatCompletion = {
    content: 'Eight.',
    model: 'gpt-4o-mini-2024-07-18',
    finishReason: 'stop',
    usage: { promptTokens: 1_000, completionTokens: 2_000, totalTokens: 3_000 },
  };

  it('prices the call by the model that answered', async () => {
    const result = await serviceWith(new ScriptedProvider(true, answered)).complete(request);
    expect(result.provider).toBe('openai');
    expect(result.costUsd).toBeCloseTo(0.00015 + 0.0012, 10);
  });

  it('counts tokens itself when the provider reports no usage', async () => {
    const noUsage = {
      ...answered,
      usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
    };
    const result = await serviceWith(new ScriptedProvider(true, noUsage)).complete(request);
    expect(result.usage.promptTokens).toBe(new TokenCounter().countPrompt(request));
    expect(result.usage.completionTokens).toBe(2);
    expect(result.usage.totalTokens).toBe(result.usage.promptTokens + 2);
    expect(result.costUsd).toBeGreaterThan(0);
  });

  it('refuses a provider that is not configured with 503, naming what to set', async () => {
    const refused = serviceWith(new ScriptedProvider(false, answered)).complete(request);
    await expect(refused).rejects.toMatchObject({ code: 'provider_not_configured', status: 503 });
    const { message } = (await refused.catch((error: unknown) => error)) as Error;
    expect(message).toContain('OPENAI_API_KEY');
    expect(message).toContain('OPENAI_BASE_URL');
    expect(message).toContain('npm run demo');
    expect(message).not.toContain('\n');
  });

  it('names the Anthropic variables for an unconfigured Anthropic provider', () => {
    const service = serviceWith(new ScriptedProvider(false, answered, 'anthropic'));
    expect(() => service.send('anthropic', { api: 'messages', body: {} })).toThrow(
      /ANTHROPIC_API_KEY.*ANTHROPIC_BASE_URL.*npm run demo/,
    );
  });
});
