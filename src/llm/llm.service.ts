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
import { TokenUsage } from '../cache/exact-cache.port';
import { WireCall } from './wire-call';

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
    const provider = this.configured(request.provider);
    const completion = await this.guarded(provider, () => provider.complete(request));
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
    const costUsd = this.priceOf(provider.name, completion.model, completion.usage);
    return { ...completion, provider: provider.name, costUsd };
  }

  /**
   * A body in the provider's own API format, for the drop-in routes: through the same circuit
   * breaker and call metrics as `complete`. The time measured is the wait for the headers.
   */
  send(providerName: ProviderName, call: WireCall): Promise<Response> {
    const provider = this.configured(providerName);
    if (!provider.apis.includes(call.api)) {
      throw new ApiError(400, 'unsupported_api', `${providerName} does not serve ${call.api}`);
    }
    return this.guarded(provider, () => provider.send(call));
  }

  /** Prices what a call used, and counts it in the spend metrics. */
  priceOf(providerName: ProviderName, model: string, usage: TokenUsage): number | null {
    const costUsd = this.prices.costOf(model, usage);
    this.metrics.providerSpend(providerName, usage, costUsd);
    return costUsd;
  }

  private configured(name: ProviderName): LlmProvider {
    const provider = this.providers.get(name);
    if (!provider?.configured) {
      throw new ApiError(503, 'provider_not_configured', notConfiguredMessage(name));
    }
    return provider;
  }

  private async guarded<T>(provider: LlmProvider, call: () => Promise<T>): Promise<T> {
    const breaker = this.breakers.get(provider.name) as CircuitBreaker;
    const started = performance.now();
    let result: T;
    try {
      result = await breaker.run(call);
    } catch (error) {
      const status = error instanceof ApiError ? error.code : 'internal_error';
      this.metrics.providerCall(provider.name, status, (performance.now() - started) / 1000);
      this.metrics.circuit(provider.name, breaker.state);
      throw error;
    }
    this.metrics.providerCall(provider.name, 'ok', (performance.now() - started) / 1000);
    this.metrics.circuit(provider.name, breaker.state);
    return result;
  }
}

/** What the operator sets to enable a provider, and how to see the gateway work without one. */
const PROVIDER_SETUP: Record<ProviderName, string> = {
  openai: 'set OPENAI_API_KEY (or OPENAI_BASE_URL for an OpenAI-compatible server)',
  anthropic: 'set ANTHROPIC_API_KEY (or ANTHROPIC_BASE_URL for an Anthropic-compatible server)',
};

function notConfiguredMessage(name: ProviderName): string {
  return (
    `Provider ${name} is not configured on this gateway: ${PROVIDER_SETUP[name]} and restart it. ` +
    '`npm run demo` shows the gateway working without a key.'
  );
}
