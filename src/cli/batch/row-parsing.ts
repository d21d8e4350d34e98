import type { BatchRecord } from '../../core/batch/batch-row.js';

/** A row as the reader passes it on: its raw text, parsed later on a worker thread, or a read error. */
export type RawRow = { line: number; csv: string } | { line: number; json: string } | { line: number; error: string };

/** A row ready to mint: a record, or the reason it cannot be. */
export type InputRow = { line: number; record: BatchRecord } | { line: number; error: string };

export type CsvCells = (text: string) => string[];

/** A single record longer than this is not a user row; refusing it keeps memory bounded. */
export const MAX_RECORD_CHARACTERS = 64 * 1024;

/** Cell splitting for one CSV record: rows without quotes are split directly, quoted ones by csv-parse. */
export async function loadCsvCells(): Promise<CsvCells> {
  const { parse } = await import('csv-parse/sync');
  return (text: string) => {
    if (!text.includes('"')) {
      // Trimmed in place rather than with map(): see mintChunk on V8 and map() in per-row code.
      const cells = text.split(',');
      for (let index = 0; index < cells.length; index += 1) cells[index] = (cells[index] as string).trim();
      return cells;
    }
    const rows = parse(text, { trim: true, relax_column_count: true }) as string[][];
    return rows[0] ?? [];
  };
}

export function csvError(error: unknown): string {
  return `CSV: ${(error as Error).message.replace(/ at line \d+$/, '').replace(/^(Invalid|Quote)/, (word) => word.toLowerCase())}`;
}

/** Turns a raw row into a record: CSV cells named by the header, or a JSON object. */
export function parseRawRow(raw: RawRow, header: readonly string[] | undefined, cells: CsvCells): InputRow {
  if ('error' in raw) return raw;
  if ('json' in raw) {
    if (raw.json.length > MAX_RECORD_CHARACTERS)
      return { line: raw.line, error: `the line is over ${MAX_RECORD_CHARACTERS} characters` };
    let value: unknown;
    try {
      value = JSON.parse(raw.json);
    } catch {
      return { line: raw.line, error: 'not valid JSON' };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return { line: raw.line, error: 'not a JSON object' };
    return { line: raw.line, record: value as BatchRecord };
  }
  let values: string[];
  try {
    values = cells(raw.csv);
  } catch (error) {
    return { line: raw.line, error: csvError(error) };
  }
  const names = header ?? [];
  if (values.length !== names.length)
    return { line: raw.line, error: `CSV: the row has ${values.length} cells, the header has ${names.length}` };
  const record: Record<string, string> = {};
  for (let index = 0; index < names.length; index += 1) {
    const name = names[index] as string;
    // Assigning to "__proto__" would set the prototype and drop the column; define it as a field.
    if (name === '__proto__') {
      const value = values[index];
      Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
    } else {
      record[name] = values[index] as string;
    }
  }
  return { line: raw.line, record };
}
