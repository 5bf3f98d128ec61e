import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PriceTable } from './price-table';

const usage = (promptTokens: number, completionTokens: number) => ({
  promptTokens,
  completionTokens,
  totalTokens: promptTokens + completionTokens,
});

function writeJson(name: string, content: unknown): string {
  const file = join(tmpdir(), `${name}-${process.pid}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('PriceTable', () => {
  const prices = new PriceTable();

  it('prices a call from the bundled table', () => {
    // gpt-4o-mini: $0.15 in, $0.60 out per million tokens.
    expect(prices.costOf('gpt-4o-mini', usage(1_000_000, 1_000_000))).toBeCloseTo(0.75, 10);
    expect(prices.costOf('gpt-4o-mini', usage(100, 50))).toBe(0.000045);
  });

  it('matches dated snapshots by the longest prefix', () => {
    expect(prices.priceOf('gpt-4o-mini-2024-07-18')).toEqual(prices.priceOf('gpt-4o-mini'));
    expect(prices.priceOf('gpt-4o-2024-08-06')).toEqual(prices.priceOf('gpt-4o'));
    expect(prices.priceOf('claude-3-5-haiku-latest')?.provider).toBe('anthropic');
  });

  it('returns null for a model without a price', () => {
    expect(prices.costOf('claude-unknown-9', usage(10, 10))).toBeNull();
    expect(prices.priceOf('gpt-4ox')).toBeUndefined();
  });

  it('lets an operator file override and extend the table', () => {
    const file = writeJson('pricing-override', {
      models: {
        'gpt-4o-mini': { provider: 'openai', input: 1, output: 1 },
        'mixtral-8x7b': { provider: 'openai', input: 0.2, output: 0.2 },
      },
    });
    const custom = new PriceTable(file);
    expect(custom.costOf('gpt-4o-mini', usage(1_000_000, 0))).toBe(1);
    expect(custom.providerOf('mixtral-8x7b')).toBe('openai');
    expect(custom.priceOf('gpt-4o')).toEqual(prices.priceOf('gpt-4o'));
  });

  it('names PRICING_FILE when the file is unreadable or malformed', () => {
    expect(() => new PriceTable('/nonexistent/pricing.json')).toThrow(/^PRICING_FILE: cannot read/);
    expect(() => new PriceTable(writeJson('pricing-bad-json', '{'))).toThrow(/^PRICING_FILE/);
    const wrongShape = writeJson('pricing-bad-shape', {
      models: { x: { provider: 'openai', input: -1, output: 1 } },
    });
    expect(() => new PriceTable(wrongShape)).toThrow(/^PRICING_FILE: .*models\.x\.input/);
  });
});
