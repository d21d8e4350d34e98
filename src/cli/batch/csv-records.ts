/** A CSV record's text and the line it starts on, or why the lines from there could not form one. */
export type CsvRecordText = { line: number; text: string } | { line: number; error: string };

interface PhysicalLine {
  line: number;
  text: string;
}

/**
 * Groups physical lines into CSV records (RFC 4180: a line break inside quotes continues the record),
 * remembering the line each record starts on. Done here rather than by the CSV parser's own error
 * recovery so that a broken record is reported at its first line, in input order, and costs only its
 * own lines: after an unclosed quote the following lines are read again as records of their own.
 */
export class CsvRecordSplitter {
  private pending: PhysicalLine[] = [];
  private quoteOpen = false;
  private size = 0;

  constructor(private readonly maxRecordCharacters: number) {}

  /** Feeds one physical line (without its line break); returns the records it completed. */
  push(line: number, text: string): CsvRecordText[] {
    const out: CsvRecordText[] = [];
    this.feed({ line, text }, out);
    return out;
  }

  /** Ends the input: a record still open is reported, and its later lines read again. */
  end(): CsvRecordText[] {
    const out: CsvRecordText[] = [];
    while (this.pending.length > 0)
      this.abandon(`a quote opened on line ${this.pending[0]?.line} is never closed`, out);
    return out;
  }

  private feed(physical: PhysicalLine, out: CsvRecordText[]): void {
    if (this.pending.length === 0 && physical.text.trim() === '') return;
    this.pending.push(physical);
    this.size += physical.text.length + 1;
    // Each quote toggles; an escaped quote ("") toggles twice and changes nothing.
    for (let index = physical.text.indexOf('"'); index !== -1; index = physical.text.indexOf('"', index + 1))
      this.quoteOpen = !this.quoteOpen;
    if (!this.quoteOpen) {
      const first = this.pending[0] as PhysicalLine;
      // Most records are one line: no joining (this runs per input row).
      const text = this.pending.length === 1 ? first.text : this.pending.map((item) => item.text).join('\n');
      out.push({ line: first.line, text });
      this.reset();
    } else if (this.size > this.maxRecordCharacters) {
      this.abandon(
        `the record starting here is over ${this.maxRecordCharacters} characters (a quote opened on line ${this.pending[0]?.line} may never close)`,
        out,
      );
    }
  }

  private reset(): void {
    this.pending = [];
    this.quoteOpen = false;
    this.size = 0;
  }

  private abandon(reason: string, out: CsvRecordText[]): void {
    const [first, ...rest] = this.pending;
    this.reset();
    if (first) out.push({ line: first.line, error: `CSV: ${reason}` });
    for (const physical of rest) this.feed(physical, out);
  }
}
