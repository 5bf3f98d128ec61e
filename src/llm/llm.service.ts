import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, ProviderName } from '../config/app-config';
import { CircuitBreaker } from './circuit-breaker';
import { ChatRequest, PricedCompletion } from './chat.types';
import { LLM_PROVIDERS, LlmProvider } from './llm-provider.port';
import { ModelRouter, Route } from './model-router';
import { PriceTable } from './price-table';
import { TokenCounter } from './token-counter';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { ApiError } from '../common/errors/api-error';

/** The one entry point to the providers: routing, the call, usage and cost. */
@Injectable()
export class LlmService {
  private readonly providers: Map<ProviderName, LlmProvider>;
  private readonly breakers: Map<ProviderName, CircuitBreaker>;

  constructor(
    @Inject(LLM_PROVIDERS) providers: LlmProvider[],
    private readonly router: ModelRouter,
    private readonly prices: PriceTable,
    private readonly tokens: TokenCounter,
    private readonly metrics: GatewayMetrics,
    config: AppConfig,
  ) {
    this.providers = new Map(providers.map((provider) => [provider.name, provider]));
    this.breakers = new Map(
      providers.map((provider) => [
        provider.name,
        new CircuitBreaker(provider.name, config.llm.circuit),
      ]),
    );
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
    const breaker = this.breakers.get(provider.name) as CircuitBreaker;
    const started = performance.now();
    let completion;
    try {
      completion = await breaker.run(() => provider.complete(request));
    } catch (error) {
      const status = error instanceof ApiError ? error.code : 'internal_error';
      this.metrics.providerCall(provider.name, status, (performance.now() - started) / 1000);
      this.metrics.circuit(provider.name, breaker.state);
      throw error;
    }
    this.metrics.providerCall(provider.name, 'ok', (performance.now() - started) / 1000);
    this.metrics.circuit(provider.name, breaker.state);
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
    const costUsd = this.prices.costOf(completion.model, completion.usage);
    this.metrics.providerSpend(provider.name, completion.usage, costUsd);
    return { ...completion, provider: provider.name, costUsd };
  }
}
