import { formatDuration } from '../../core/time/duration.js';
import { stderrStream } from '../io/standard-streams.js';

/**
 * A one-line progress display on stderr: rows, rate, and once the total is known, percentage and ETA.
 * Drawn only when the caller says stderr is a terminal that tokens are not also written to: progress
 * frames rewrite their line with \r, which would overwrite or split tokens on a shared terminal.
 */
export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private total: number | undefined;

  constructor(readonly enabled: boolean) {}

  /** The number of rows in the input, once known. */
  setTotal(total: number | undefined): void {
    this.total = total;
  }

  /** `rows` finished so far. */
  update(rows: number, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const rate = rows / seconds;
    let tail = '';
    if (this.total !== undefined && this.total > 0) {
      const fraction = Math.min(rows / this.total, 1);
      const eta = rate > 0 ? (this.total - Math.min(rows, this.total)) / rate : 0;
      tail = `  ${(fraction * 100).toFixed(0)}%  ETA ${formatDuration(Math.ceil(eta))}`;
    }
    const counts = `${rows.toLocaleString('en')} rows  ${Math.round(rate).toLocaleString('en')} tokens/s`;
    stderrStream().write(`\r\x1b[K${counts}${tail}`);
  }

  finish(): void {
    if (this.enabled) stderrStream().write('\r\x1b[K');
  }
}
