/**
 * One upstream stream read by every identical streamed request that arrived while it ran: each
 * reader gets every frame from the first, however late it joined, then the end or the failure.
 */
export class SharedStream {
  private readonly frames: string[] = [];
  private finished = false;
  private failure: Error | undefined;
  private wake: (() => void)[] = [];
  private settle!: () => void;
  /** Resolves when the stream has ended or failed. */
  readonly settled = new Promise<void>((resolve) => (this.settle = resolve));

  push(frames: readonly string[]): void {
    if (frames.length === 0) return;
    this.frames.push(...frames);
    this.notify();
  }

  end(): void {
    this.finished = true;
    this.notify();
    this.settle();
  }

  fail(error: Error): void {
    this.failure = error;
    this.finished = true;
    this.notify();
    this.settle();
  }

  /** The frames in order; throws the stream's failure after the frames that came before it. */
  async *read(): AsyncGenerator<string> {
    let next = 0;
    for (;;) {
      while (next < this.frames.length) yield this.frames[next++];
      if (this.failure) throw this.failure;
      if (this.finished) return;
      await new Promise<void>((resolve) => this.wake.push(resolve));
    }
  }

  private notify(): void {
    const waiting = this.wake;
    this.wake = [];
    for (const resolve of waiting) resolve();
  }
}

/** The streams in flight by entry key: a second identical streamed miss joins the first. */
export class StreamCoalescer {
  private readonly inFlight = new Map<string, { stream: Promise<SharedStream>; readers: number }>();

  /**
   * `open` starts the upstream stream (and resolves once the provider answered with headers);
   * the entry is dropped when the stream ends or fails, or when opening it failed.
   */
  join(
    key: string,
    open: () => Promise<SharedStream>,
  ): { stream: Promise<SharedStream>; shared: boolean } {
    const running = this.inFlight.get(key);
    if (running) {
      running.readers++;
      return { stream: running.stream, shared: true };
    }
    const stream = open();
    const entry = { stream, readers: 1 };
    this.inFlight.set(key, entry);
    const forget = () => {
      if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
    };
    stream.then((opened) => opened.settled.then(forget), forget);
    return { stream, shared: false };
  }

  /**
   * A reader that will not read after all (a speculative start whose request was answered from
   * the semantic cache). True when it was the last one: the stream may then be cancelled.
   */
  leave(key: string, stream: Promise<SharedStream>): boolean {
    const entry = this.inFlight.get(key);
    if (entry?.stream !== stream) return false;
    entry.readers--;
    if (entry.readers > 0) return false;
    this.inFlight.delete(key);
    return true;
  }
}
