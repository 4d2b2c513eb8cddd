/** A CLI's progress on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise. */

export interface ProgressSnapshot {
  done: number;
  /** null: not known yet. */
  total: number | null;
  errors: number;
  elapsedMs: number;
}

const number = new Intl.NumberFormat('en-US');

/** `[██████████░░░░░░░░░░]  50%` (width cells). */
export function progressBar(done: number, total: number | null, width = 24): string {
  if (!total) return `[${'░'.repeat(width)}]    `;
  const share = Math.min(1, Math.max(0, done / total));
  const filled = Math.round(share * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%`;
}

/** `45,000/100,000 rows, 12 errors, 3,200 rows/s, about 17 s left`. */
export function progressText({ done, total, errors, elapsedMs }: ProgressSnapshot): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const parts = [`${number.format(done)}${total === null ? '' : `/${number.format(total)}`} rows`, `${number.format(errors)} ${errors === 1 ? 'error' : 'errors'}`];
  if (rate > 0) parts.push(`${number.format(Math.round(rate))} rows/s`);
  if (total !== null && rate > 0 && done < total) parts.push(`about ${Math.ceil((total - done) / rate)} s left`);
  return parts.join(', ');
}

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export class ProgressReporter {
  private readonly started: number;
  private lastLine = 0;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    private readonly total: number | null,
    private readonly now: () => number = Date.now,
    /** Without a terminal: at most one line this often. */
    private readonly everyMs = 2_000,
  ) {
    this.started = now();
  }

  update(done: number, errors: number): void {
    const snapshot: ProgressSnapshot = { done, total: this.total, errors, elapsedMs: this.now() - this.started };
    if (this.stream.isTTY) {
      this.stream.write(`\r${this.label}: ${progressBar(done, this.total)} ${progressText(snapshot)}\x1b[K`);
      this.drawn = true;
      return;
    }
    if (this.now() - this.lastLine < this.everyMs) return;
    this.lastLine = this.now();
    this.stream.write(`${this.label}: ${progressText(snapshot)}\n`);
  }

  /** Ends the bar (the next line starts clean). */
  finish(done: number, errors: number): void {
    if (this.stream.isTTY) {
      this.update(done, errors);
      if (this.drawn) this.stream.write('\n');
    }
  }
}
