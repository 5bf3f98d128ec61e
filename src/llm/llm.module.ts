import { Module } from '@nestjs/common';
import { AppConfig, ProviderName } from '../config/app-config';
import { AnthropicProvider } from './anthropic.provider';
import { LLM_PROVIDERS, LlmProvider } from './llm-provider.port';
import { LlmProviderSettings } from './llm-provider.settings';
import { LlmService } from './llm.service';
import { ModelRouter } from './model-router';
import { OpenAIProvider } from './openai.provider';
import { ProviderFetch } from './provider-fetch';
import { PriceTable } from './price-table';
import { TokenCounter } from './token-counter';

function settingsFor(config: AppConfig, provider: ProviderName): LlmProviderSettings {
  return {
    ...config.llm.providers[provider],
    timeoutMs: config.llm.timeoutMs,
    maxRetries: config.llm.maxRetries,
  };
}

@Module({
  providers: [
    {
      provide: PriceTable,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new PriceTable(config.llm.pricingFile),
    },
    {
      provide: ModelRouter,
      inject: [AppConfig, PriceTable],
      useFactory: (config: AppConfig, prices: PriceTable) => new ModelRouter(config, prices),
    },
    { provide: TokenCounter, useFactory: () => new TokenCounter() },
    {
      provide: ProviderFetch,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new ProviderFetch(config.llm.timeoutMs),
    },
    {
      provide: LLM_PROVIDERS,
      inject: [AppConfig, ProviderFetch],
      useFactory: (config: AppConfig, transport: ProviderFetch): LlmProvider[] => [
        new OpenAIProvider(settingsFor(config, 'openai'), transport),
        new AnthropicProvider(settingsFor(config, 'anthropic'), transport),
      ],
    },
    LlmService,
  ],
  exports: [LlmService, PriceTable, LLM_PROVIDERS, ProviderFetch],
})
export class LlmModule {}
