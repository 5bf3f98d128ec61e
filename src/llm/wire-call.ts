/** The provider APIs the drop-in routes call with a body in the provider's own format. */
export type WireApi = 'chat.completions' | 'responses' | 'embeddings' | 'messages';

/** One call of a provider's own API, body as the caller's SDK (or a translation) wrote it. */
export interface WireCall {
  api: WireApi;
  body: Record<string, unknown>;
  /** Caller headers the provider's API reads (`anthropic-version`, `anthropic-beta`). */
  headers?: Record<string, string>;
  /** Cancels the call, before or after the response's headers. */
  signal?: AbortSignal;
}
