const WIDTH = 30;

/** `[#########---------]  45% 4500/10000`: plain text, no dependency. */
export function renderBar(done: number, total: number, width = WIDTH): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(ratio * width);
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent} ${done}/${total}`;
}

/** One status line on a stream, redrawn in place with `\r`. */
export class ProgressLine {
  private width = 0;
  private drawn = false;

  constructor(private readonly write: (text: string) => void) {}

  draw(text: string): void {
    // Pads over the remains of a longer previous line.
    this.write(`\r${text.padEnd(this.width)}`);
    this.width = Math.max(this.width, text.length);
    this.drawn = true;
  }

  /** Ends the line so what follows starts on a fresh one. */
  done(): void {
    if (this.drawn) this.write('\n');
    this.drawn = false;
  }
}
