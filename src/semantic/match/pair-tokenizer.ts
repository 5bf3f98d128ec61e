import { Tokenizer } from '@huggingface/tokenizers';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The model's inputs for one pair: `rows` inputs of `length` tokens each, one after another. */
export interface EncodedPair {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array;
  rows: number;
  length: number;
}

/**
 * BERT's pair input, `[CLS] stored [SEP] query [SEP]`, with the segment ids the model was
 * trained on and the same cut as Hugging Face's `truncation=True` (longest first), so the model
 * sees in Node what it saw in training.
 */
export class PairTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly cls: number;
  private readonly sep: number;

  constructor(
    modelDir: string,
    private readonly maxLength: number,
  ) {
    const read = (name: string): object =>
      JSON.parse(readFileSync(join(modelDir, name), 'utf8')) as object;
    this.tokenizer = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
    this.cls = this.id('[CLS]');
    this.sep = this.id('[SEP]');
  }

  /**
   * One input per stored prompt, each with the query in both orders: `stored, query` then
   * `query, stored`. Each order is cut as Hugging Face cuts it; both keep the same number of
   * tokens, so the two rows have one length and run as one batch unpadded. The query is
   * tokenized once.
   */
  encodeBothOrders(stored: readonly string[], query: string): EncodedPair[] {
    const queryIds = this.ids(query);
    return stored.map((text) => {
      const storedIds = this.ids(text);
      return this.rows([this.cut(storedIds, queryIds), this.cut(queryIds, storedIds)]);
    });
  }

  private cut(first: number[], second: number[]): [number[], number[]] {
    return truncateLongestFirst(first, second, this.maxLength - 3);
  }

  private rows(pairs: [number[], number[]][]): EncodedPair {
    const length = pairs[0][0].length + pairs[0][1].length + 3;
    const inputIds = new BigInt64Array(length * pairs.length);
    const tokenTypeIds = new BigInt64Array(length * pairs.length);
    pairs.forEach(([first, second], row) => {
      const tokens = [this.cls, ...first, this.sep, ...second, this.sep];
      const offset = row * length;
      tokens.forEach((token, i) => {
        inputIds[offset + i] = BigInt(token);
        // Segment 0 up to and including the first [SEP], segment 1 after it.
        tokenTypeIds[offset + i] = i > first.length + 1 ? 1n : 0n;
      });
    });
    return {
      inputIds,
      attentionMask: new BigInt64Array(length * pairs.length).fill(1n),
      tokenTypeIds,
      rows: pairs.length,
      length,
    };
  }

  private ids(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  private id(token: string): number {
    const id = this.tokenizer.token_to_id(token);
    if (id === undefined) throw new Error(`the tokenizer has no ${token} token`);
    return id;
  }
}

/**
 * Hugging Face's `longest_first` cut (the Rust tokenizers' rule): when both do not fit, the
 * shorter side keeps all it has if that is under half the budget, else half; the other side
 * keeps the rest. Tokens go from the end of each side.
 */
export function truncateLongestFirst(
  first: number[],
  second: number[],
  budget: number,
): [number[], number[]] {
  if (first.length + second.length <= budget) return [first, second];
  const swapped = first.length > second.length;
  const shorter = swapped ? second.length : first.length;
  let keepShorter: number;
  let keepLonger: number;
  if (shorter < budget / 2) {
    keepShorter = shorter;
    keepLonger = budget - shorter;
  } else {
    keepShorter = Math.floor(budget / 2);
    keepLonger = keepShorter + (budget % 2);
  }
  const [keepFirst, keepSecond] = swapped ? [keepLonger, keepShorter] : [keepShorter, keepLonger];
  return [first.slice(0, keepFirst), second.slice(0, keepSecond)];
}
