import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../common/errors/api-error';
import { AppConfig } from '../config/app-config';
import { ModelRouter } from './model-router';
import { PriceTable } from './price-table';

function router(env: Record<string, string> = {}, pricingFile?: string): ModelRouter {
  return new ModelRouter(AppConfig.fromEnvironment(env), new PriceTable(pricingFile));
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return (error as ApiError).code;
  }
  return undefined;
}

describe('ModelRouter', () => {
  it.each([
    ['claude-3-5-haiku-latest', 'anthropic'],
    ['claude-sonnet-4-6', 'anthropic'],
    ['gpt-4o-mini', 'openai'],
    ['gpt-4o-mini-2024-07-18', 'openai'],
    ['o3-mini', 'openai'],
    ['o4-mini', 'openai'],
    ['chatgpt-4o-latest', 'openai'],
    ['ft:gpt-4o-mini:acme::abc123', 'openai'],
  ])('routes %s to %s by its family', (model, provider) => {
    expect(router().route(undefined, model)).toEqual({ provider, model });
  });

  it('uses the default provider and its default model when nothing is named', () => {
    expect(router().route(undefined, undefined)).toEqual({
      provider: 'openai',
      model: 'gpt-4o-mini',
    });
    expect(
      router({ DEFAULT_PROVIDER: 'anthropic', ANTHROPIC_DEFAULT_MODEL: 'claude-sonnet-4-6' }).route(
        undefined,
        undefined,
      ),
    ).toEqual({ provider: 'anthropic', model: 'claude-sonnet-4-6' });
    expect(router().route('anthropic', undefined)).toEqual({
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
    });
  });

  it('rejects unknown providers and models, and a model of the other provider', () => {
    expect(codeOf(() => router().route('mistral', undefined))).toBe('unknown_provider');
    expect(codeOf(() => router().route(undefined, 'llama-3-70b'))).toBe('unknown_model');
    expect(codeOf(() => router().route(undefined, 'o'))).toBe('unknown_model');
    expect(codeOf(() => router().route('anthropic', 'gpt-4o'))).toBe('model_provider_mismatch');
  });

  it('admits a model that an operator lists in PRICING_FILE', () => {
    const file = join(tmpdir(), `pricing-${process.pid}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        models: { 'llama-3.1-70b': { provider: 'openai', input: 0.5, output: 0.7 } },
      }),
    );
    expect(router({}, file).route(undefined, 'llama-3.1-70b')).toEqual({
      provider: 'openai',
      model: 'llama-3.1-70b',
    });
  });
});
