import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TokenUsage } from '../cache/exact-cache.port';
import { ProviderName } from '../config/app-config';
import bundledPricing from './pricing.json';

const priceSchema = z.object({
  provider: z.enum(['openai', 'anthropic']),
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
});

const pricingFileSchema = z.object({ models: z.record(z.string().min(1), priceSchema) });

export type ModelPrice = z.infer<typeof priceSchema>;

/**
 * Prices per million tokens, from the bundled `pricing.json` with an operator's file laid over
 * it. Listing a model here also makes it routable, which is how operators admit models with
 * names outside the gpt-/o-/claude- families (e.g. on an OpenAI-compatible server).
 */
export class PriceTable {
  private readonly prices: Map<string, ModelPrice>;
  /** Longest first, so `gpt-4o-mini` wins over `gpt-4o` for `gpt-4o-mini-2024-07-18`. */
  private readonly prefixes: string[];

  constructor(overrideFile?: string) {
    const bundled = pricingFileSchema.parse(bundledPricing);
    const override = overrideFile ? PriceTable.readOverride(overrideFile) : { models: {} };
    this.prices = new Map(Object.entries({ ...bundled.models, ...override.models }));
    this.prefixes = [...this.prices.keys()].sort((a, b) => b.length - a.length);
  }

  private static readOverride(path: string): z.infer<typeof pricingFileSchema> {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`PRICING_FILE: cannot read ${path}: ${(error as Error).message}`);
    }
    const parsed = pricingFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`PRICING_FILE: ${path}: ${issue.path.join('.')}: ${issue.message}`);
    }
    return parsed.data;
  }

  priceOf(model: string): ModelPrice | undefined {
    const exact = this.prices.get(model);
    if (exact) return exact;
    const prefix = this.prefixes.find((candidate) => model.startsWith(`${candidate}-`));
    return prefix === undefined ? undefined : this.prices.get(prefix);
  }

  /** Every listed model and its provider: what `GET /v1/models` names. */
  models(): { model: string; provider: ProviderName }[] {
    return [...this.prices].map(([model, price]) => ({ model, provider: price.provider }));
  }

  providerOf(model: string): ProviderName | undefined {
    return this.priceOf(model)?.provider;
  }

  /** Cost in USD of one call, or null when the model has no price. */
  costOf(model: string, usage: TokenUsage): number | null {
    const price = this.priceOf(model);
    if (!price) return null;
    const dollarsTimesMillion =
      usage.promptTokens * price.input + usage.completionTokens * price.output;
    // Rounded to 1e-10 USD so float noise does not show up in responses and metrics.
    return Number((dollarsTimesMillion / 1_000_000).toFixed(10));
  }
}
