/**
 * Shares one in-flight computation between identical concurrent requests. The entry stays until
 * the result is also persisted, so a request that arrives between the answer and the cache write
 * still gets the shared result instead of a second upstream call.
 */
export class RequestCoalescer<T> {
  private readonly pending = new Map<string, Promise<T>>();

  get size(): number {
    return this.pending.size;
  }

  async run(
    key: string,
    produce: () => Promise<T>,
    persist: (value: T) => Promise<void>,
  ): Promise<{ value: T; shared: boolean }> {
    const existing = this.pending.get(key);
    if (existing) return { value: await existing, shared: true };
    const promise = produce();
    this.pending.set(key, promise);
    promise
      .then(persist)
      .catch(() => undefined)
      .finally(() => {
        if (this.pending.get(key) === promise) this.pending.delete(key);
      });
    return { value: await promise, shared: false };
  }
}
