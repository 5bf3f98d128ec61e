import { ApiError } from '../common/errors/api-error';
import { AppConfig, ProviderName } from '../config/app-config';
import { PriceTable } from './price-table';

const PROVIDERS: readonly ProviderName[] = ['openai', 'anthropic'];

/** Model families by name; models outside them are routable only when the price table lists them. */
const FAMILIES: { pattern: RegExp; provider: ProviderName }[] = [
  { pattern: /^claude-/, provider: 'anthropic' },
  { pattern: /^(gpt-|chatgpt-|o\d(-|$)|ft:gpt-)/, provider: 'openai' },
];

export interface Route {
  provider: ProviderName;
  model: string;
}

/** Decides which provider serves a request: by the named provider, else by the model's family. */
export class ModelRouter {
  constructor(
    private readonly config: AppConfig,
    private readonly prices: PriceTable,
  ) {}

  private familyOf(model: string): ProviderName | undefined {
    return (
      this.prices.providerOf(model) ??
      FAMILIES.find((family) => family.pattern.test(model))?.provider
    );
  }

  route(provider: string | undefined, model: string | undefined): Route {
    if (provider !== undefined && !PROVIDERS.includes(provider as ProviderName)) {
      throw new ApiError(
        400,
        'unknown_provider',
        `Unknown provider "${provider}"; expected one of ${PROVIDERS.join(', ')}`,
      );
    }
    const named = provider as ProviderName | undefined;
    if (model === undefined) {
      const chosen = named ?? this.config.llm.defaultProvider;
      return { provider: chosen, model: this.config.llm.providers[chosen].defaultModel };
    }
    const family = this.familyOf(model);
    if (family === undefined) {
      throw new ApiError(
        400,
        'unknown_model',
        `Unknown model "${model}"; use a gpt-*, o*, or claude-* model, or list it in PRICING_FILE`,
      );
    }
    if (named !== undefined && named !== family) {
      throw new ApiError(
        400,
        'model_provider_mismatch',
        `Model "${model}" is served by ${family}, not ${named}`,
      );
    }
    return { provider: family, model };
  }
}
