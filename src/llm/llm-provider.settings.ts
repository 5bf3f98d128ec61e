/** What every provider adapter needs from configuration. */
export interface LlmProviderSettings {
  apiKey: string | undefined;
  baseUrl: string | undefined;
  timeoutMs: number;
  maxRetries: number;
}
