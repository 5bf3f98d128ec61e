import { hash } from 'node:crypto';
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

/** One-shot hashing: about twice as fast as createHash() for inputs this small. */
function sha256(text: string): string {
  return hash('sha256', text, 'base64url');
}

/**
 * The fixed fields go into a positional array serialised by the native JSON.stringify; only the
 * open-ended parts (turns, parameters) need the slower key-sorting canonical form. This runs on
 * every request, hits included.
 */
export function deriveScope(input: ScopeInput): string {
  return sha256(
    JSON.stringify([
      CACHE_KEY_VERSION,
      input.tenant,
      input.namespace,
      input.provider,
      input.model,
      input.system ?? null,
      input.history.length === 0 ? '[]' : canonicalJson(input.history),
      canonicalJson(input.params),
    ]),
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
