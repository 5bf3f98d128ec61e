import type { AnthropicDeltaUsage, AnthropicUsage } from './anthropic.types';

const TOTALS = ['input_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const;

/**
 * The usage after a message_delta. Its counters are whole-message totals, not increments, and
 * one that is absent or null did not change.
 */
export function addDeltaUsage(usage: AnthropicUsage, delta: AnthropicDeltaUsage): AnthropicUsage {
  const merged = { ...usage, output_tokens: delta.output_tokens };
  for (const field of TOTALS) {
    const value = delta[field];
    if (value != null) merged[field] = value;
  }
  return merged;
}
