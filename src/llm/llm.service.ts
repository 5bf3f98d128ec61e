import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import { ProviderName } from '../config/app-config';
import { ChatRequest, PricedCompletion } from './chat.types';
import { LLM_PROVIDERS, LlmProvider } from './llm-provider.port';
import { ModelRouter, Route } from './model-router';
import { PriceTable } from './price-table';
import { TokenCounter } from './token-counter';

/** The one entry point to the providers: routing, the call, usage and cost. */
@Injectable()
export class LlmService {
  private readonly providers: Map<ProviderName, LlmProvider>;

  constructor(
    @Inject(LLM_PROVIDERS) providers: LlmProvider[],
    private readonly router: ModelRouter,
    private readonly prices: PriceTable,
    private readonly tokens: TokenCounter,
  ) {
    this.providers = new Map(providers.map((provider) => [provider.name, provider]));
  }

  route(provider: string | undefined, model: string | undefined): Route {
    return this.router.route(provider, model);
  }

  async complete(request: ChatRequest): Promise<PricedCompletion> {
    const provider = this.providers.get(request.provider);
    if (!provider?.configured) {
      throw new ApiError(
        503,
        'provider_not_configured',
        `Provider ${request.provider} is not configured on this gateway`,
      );
    }
    const completion = await provider.complete(request);
    // OpenAI-compatible servers may omit usage; count it ourselves so cost and metrics stay honest.
    if (completion.usage.totalTokens === 0) {
      const promptTokens = this.tokens.countPrompt(request);
      const completionTokens = this.tokens.countText(
        request.provider,
        request.model,
        completion.content,
      );
      completion.usage = {
        promptTokens,
        completionTokens,
        totalTokens: promptTokens + completionTokens,
      };
    }
    return {
      ...completion,
      provider: provider.name,
      costUsd: this.prices.costOf(completion.model, completion.usage),
    };
  }
}
