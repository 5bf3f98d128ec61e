/**
 * A deadline for the wait until a provider's response headers arrive. A streamed answer may run
 * far longer than LLM_TIMEOUT_MS once it has started, so `done()` disarms the timer as soon as
 * the response is in hand; aborting later would cut the stream the caller is reading.
 */
export function untilHeaders(
  timeoutMs: number,
  cancel?: AbortSignal,
): { deadline: AbortSignal; signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  timer.unref();
  const deadline = controller.signal;
  // The caller's own cancel stays armed for the whole stream; only the deadline is disarmed.
  const signal = cancel ? AbortSignal.any([deadline, cancel]) : deadline;
  return { deadline, signal, done: () => clearTimeout(timer) };
}
