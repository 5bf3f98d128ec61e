import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** Bumped whenever the derivation changes, so old entries stop matching instead of matching wrongly. */
export const CACHE_KEY_VERSION = 1;

/** Everything that changes an answer except the last user message. */
export interface ScopeInput {
  tenant: string;
  namespace: string;
  provider: string;
  model: string;
  system: string | undefined;
  /** Every turn before the last user message, in order. */
  history: ReadonlyArray<{ role: string; content: unknown }>;
  /** Generation parameters (temperature, top_p, max tokens, stop, tools, tool_choice, response format, seed). */
  params: Readonly<Record<string, unknown>>;
}

export interface EntryKey {
  tenant: string;
  namespace: string;
  /** Hash of the scope: entries that may answer each other share it. */
  scope: string;
  /** Hash of the scope and the normalised prompt: the exact-cache key within the namespace. */
  hash: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

export function deriveScope(input: ScopeInput): string {
  return sha256(
    canonicalJson({
      v: CACHE_KEY_VERSION,
      tenant: input.tenant,
      namespace: input.namespace,
      provider: input.provider,
      model: input.model,
      system: input.system ?? null,
      history: input.history,
      params: input.params,
    }),
  );
}

/**
 * Unicode NFKC, trimmed, runs of white space folded to one space. Case and punctuation are kept:
 * "US" and "us" or a trailing "?" vs "!" can change the answer, and the semantic layer is the
 * place for looser matches.
 */
export function normalizePrompt(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ');
}

export function deriveEntryKey(input: ScopeInput, prompt: string): EntryKey {
  const scope = deriveScope(input);
  return {
    tenant: input.tenant,
    namespace: input.namespace,
    scope,
    hash: sha256(`${scope}\n${normalizePrompt(prompt)}`),
  };
}
