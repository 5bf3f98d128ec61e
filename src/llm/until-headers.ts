/**
 * A deadline for the wait until a provider's response headers arrive. A streamed answer may run
 * far longer than LLM_TIMEOUT_MS once it has started, so `done()` disarms the timer as soon as
 * the response is in hand; aborting later would cut the stream the caller is reading.
 */
export function untilHeaders(timeoutMs: number): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  timer.unref();
  return { signal: controller.signal, done: () => clearTimeout(timer) };
}
