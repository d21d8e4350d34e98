import { formatDuration } from '../../core/time/duration.js';

/** A one-line progress display on stderr (only when it is a terminal): count, rate, percentage and ETA. */
export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;

  constructor(private readonly enabled: boolean, private readonly totalBytes: number | undefined, private readonly bytesRead: () => number) {}

  /**
   * `rows` finished so far; `rowsRead` read so far. Input is read ahead of signing, so the total is
   * estimated from rows read per byte and progress follows rows finished.
   */
  update(rows: number, rowsRead: number, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const rate = rows / seconds;
    let tail = '';
    const bytesRead = this.bytesRead();
    if (this.totalBytes && bytesRead > 0 && rowsRead > 0) {
      const estimatedRows = Math.max(rowsRead * (this.totalBytes / bytesRead), rows);
      const fraction = Math.min(rows / estimatedRows, 1);
      const eta = fraction > 0 ? (seconds / fraction) - seconds : 0;
      tail = `  ${(fraction * 100).toFixed(0)}%  ETA ${formatDuration(Math.ceil(eta))}`;
    }
    process.stderr.write(`\r${rows.toLocaleString('en')} rows  ${Math.round(rate).toLocaleString('en')} tokens/s${tail}   `);
  }

  finish(): void {
    if (this.enabled) process.stderr.write('\r\x1b[K');
  }
}
