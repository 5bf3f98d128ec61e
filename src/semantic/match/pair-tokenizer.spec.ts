import { bundledVerifierDir } from './bundled-verifier';
import { PairTokenizer, truncateLongestFirst } from './pair-tokenizer';

/**
 * Expected ids are what Hugging Face's Python tokenizer gives for the same pairs
 * (`tokenizer(a, b, truncation=True, max_length=…)`), the input the model was trained on.
 */
describe('PairTokenizer', () => {
  /** Row `order` of each input: 0 is `stored, query`, 1 is `query, stored`. */
  const rows = (tokenizer: PairTokenizer, stored: string[], query: string, order = 0) =>
    tokenizer.encodeBothOrders(stored, query).map((encoded) => {
      const row = (values: BigInt64Array) =>
        Array.from(values.subarray(order * encoded.length, (order + 1) * encoded.length), Number);
      return {
        ids: row(encoded.inputIds),
        types: row(encoded.tokenTypeIds),
        mask: row(encoded.attentionMask),
        length: encoded.length,
        rows: encoded.rows,
      };
    });

  it('builds [CLS] stored [SEP] query [SEP] with segment ids, as in training', () => {
    const tokenizer = new PairTokenizer(bundledVerifierDir(), 96);
    const [row] = rows(tokenizer, ['How do I reset my password?'], 'Password reset steps, please!');
    expect(row.ids).toEqual([
      101, 2129, 2079, 1045, 25141, 2026, 20786, 1029, 102, 20786, 25141, 4084, 1010, 3531, 999,
      102,
    ]);
    expect(row.types).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
    expect(row.mask.every((bit) => bit === 1)).toBe(true);
  });

  it('puts the query first in the second row, at the same length', () => {
    const tokenizer = new PairTokenizer(bundledVerifierDir(), 96);
    const [row] = rows(
      tokenizer,
      ['How do I reset my password?'],
      'Password reset steps, please!',
      1,
    );
    expect(row.rows).toBe(2);
    expect(row.ids).toEqual([
      101, 20786, 25141, 4084, 1010, 3531, 999, 102, 2129, 2079, 1045, 25141, 2026, 20786, 1029,
      102,
    ]);
    expect(row.types).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('cuts each order as Hugging Face does, even where the two sides are as long', () => {
    // Python: tokenizer('one two three four', 'five six seven eight', truncation=True, max_length=8)
    // keeps two of the first side and three of the second, in either order.
    const tokenizer = new PairTokenizer(bundledVerifierDir(), 8);
    const stored = 'one two three four';
    const query = 'five six seven eight';
    const [storedFirst] = rows(tokenizer, [stored], query, 0);
    const [queryFirst] = rows(tokenizer, [stored], query, 1);
    expect(storedFirst.ids).toEqual([101, 2028, 2048, 102, 2274, 2416, 2698, 102]);
    expect(queryFirst.ids).toEqual([101, 2274, 2416, 102, 2028, 2048, 2093, 102]);
  });

  it('lowercases and strips accents like the uncased model', () => {
    const tokenizer = new PairTokenizer(bundledVerifierDir(), 96);
    const [row] = rows(tokenizer, ['Déjà vu: what does it mean in English?'], 'meaning of deja vu');
    expect(row.ids).toEqual([
      101, 2139, 3900, 24728, 1024, 2054, 2515, 2009, 2812, 1999, 2394, 1029, 102, 3574, 1997, 2139,
      3900, 24728, 102,
    ]);
  });

  it('cuts the longer side first to fit max_length', () => {
    const tokenizer = new PairTokenizer(bundledVerifierDir(), 10);
    const [row] = rows(
      tokenizer,
      ['one two three four five six seven eight nine ten'],
      'alpha beta gamma',
    );
    expect(row.ids).toEqual([101, 2028, 2048, 2093, 2176, 102, 6541, 8247, 13091, 102]);
    expect(row.types).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it('encodes each stored prompt with the query, each at its own length', () => {
    const tokenizer = new PairTokenizer(bundledVerifierDir(), 96);
    const [long, short] = rows(tokenizer, ['How do I reset my password?', 'hi'], 'hello');
    expect(long.ids).toHaveLength(long.length);
    expect(short.ids).toEqual([101, 7632, 102, 7592, 102]);
    expect(short.types).toEqual([0, 0, 0, 1, 1]);
    expect(short.mask).toEqual([1, 1, 1, 1, 1]);
  });

  it('splits the budget as the Rust tokenizers do', () => {
    // Python: tokenizer('one two three', 'four five six', truncation=True, max_length=6)
    expect(truncateLongestFirst([1, 2, 3], [4, 5, 6], 3)).toEqual([[1], [4, 5]]);
    // tokenizer('one two three four', 'five six', truncation=True, max_length=7)
    expect(truncateLongestFirst([1, 2, 3, 4], [5, 6], 4)).toEqual([
      [1, 2],
      [5, 6],
    ]);
    expect(truncateLongestFirst([1, 2, 3, 4, 5, 6, 7], [8], 4)).toEqual([[1, 2, 3], [8]]);
    expect(truncateLongestFirst([1], [2], 4)).toEqual([[1], [2]]);
  });
});
