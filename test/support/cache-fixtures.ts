import { EntryKey } from '../../libs/cache-key';
import { CachedAnswer } from '../../src/cache/exact-cache.port';

/** A stored answer for store specs; overrides change single fields. */
export const cachedAnswer = (
  content: string,
  overrides: Partial<CachedAnswer> = {},
): CachedAnswer => ({
  content,
  provider: 'openai',
  model: 'gpt-4o-mini',
  finishReason: 'stop',
  usage: { promptTokens: 3, completionTokens: 5, totalTokens: 8 },
  costUsd: 0.000001,
  createdAt: 0,
  ...overrides,
});

/** An entry key in tenant `acme`, namespace `default` unless named. */
export const entryKey = (hash: string, namespace = 'default', tenant = 'acme'): EntryKey => ({
  tenant,
  namespace,
  scope: 'scope',
  hash,
});
