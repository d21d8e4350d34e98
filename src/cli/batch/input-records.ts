import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { BatchRecord } from '../../core/batch/batch-row.js';
import type { InputRow } from './mint-job.js';
import { CsvRecordSplitter, type CsvRecordText } from './csv-records.js';
import { CliError } from '../cli-error.js';

export type InputFormat = 'csv' | 'jsonl';


/** A single record longer than this is not a user row; refusing it keeps memory bounded. */
const MAX_RECORD_CHARACTERS = 64 * 1024;

export interface InputSource {
  stream: Readable;
  /** Bytes in the file, for progress; undefined for standard input. */
  size: number | undefined;
  bytesRead: () => number;
}

export async function openInput(path: string): Promise<InputSource> {
  if (path === '-') return { stream: process.stdin, size: undefined, bytesRead: () => 0 };
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new CliError(`--input ${path} is a folder: give a CSV or JSON Lines file`);
    size = info.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`--input ${path} cannot be read: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message}`);
  }
  // Progress reads the stream's own byte count: a 'data' listener would switch it to flowing mode
  // and lose data before the parser is attached.
  const stream = createReadStream(path);
  return { stream, size, bytesRead: () => stream.bytesRead };
}

/** The first chunk of a stream, put back so the reader still sees it. */
async function peek(stream: Readable): Promise<string> {
  const chunk = await new Promise<Buffer | string | null>((ready) => {
    const first = stream.read() as Buffer | string | null;
    if (first !== null) ready(first);
    else stream.once('readable', () => ready(stream.read() as Buffer | string | null)).once('end', () => ready(null));
  });
  if (chunk === null) return '';
  stream.unshift(chunk);
  return String(chunk);
}

/** The format from the file name, else from the first character: `{` means JSON Lines. */
export async function detectFormat(path: string, stream: Readable): Promise<InputFormat> {
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  if (/\.csv$/i.test(path)) return 'csv';
  return (await peek(stream)).trimStart().startsWith('{') ? 'jsonl' : 'csv';
}

async function* jsonLines(stream: Readable): AsyncGenerator<InputRow> {
  let line = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    line += 1;
    if (text.trim() === '') continue;
    if (text.length > MAX_RECORD_CHARACTERS) {
      yield { line, error: `the line is over ${MAX_RECORD_CHARACTERS} characters` };
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      yield { line, error: 'not valid JSON' };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) yield { line, error: 'not a JSON object' };
    else yield { line, record: value as BatchRecord };
  }
}

async function* csvRows(stream: Readable): AsyncGenerator<InputRow> {
  const { parse } = await import('csv-parse/sync');
  const splitter = new CsvRecordSplitter(MAX_RECORD_CHARACTERS);
  let header: string[] | undefined;
  const cells = (text: string): string[] => {
    const rows = parse(text, { trim: true, relax_column_count: true }) as string[][];
    return rows[0] ?? [];
  };
  const toRow = (item: CsvRecordText): InputRow => {
    if ('error' in item) {
      if (!header) throw new CliError(`--input: the CSV header (line ${item.line}) cannot be read: ${item.error}`);
      return item;
    }
    let values: string[];
    try {
      values = cells(item.text);
    } catch (error) {
      const reason = `CSV: ${(error as Error).message.replace(/ at line \d+$/, '').replace(/^(Invalid|Quote)/, (word) => word.toLowerCase())}`;
      if (!header) {
        const hint = item.text.trimStart().startsWith('{') ? ' (this looks like JSON Lines: pass --input-format jsonl)' : '';
        throw new CliError(`--input: the CSV header (line ${item.line}) cannot be read: ${reason}${hint}`);
      }
      return { line: item.line, error: reason };
    }
    if (!header) {
      header = values;
      const seen = new Set<string>();
      for (const name of header) {
        if (name === '') throw new CliError(`--input: the CSV header (line ${item.line}) has an empty column name`);
        if (seen.has(name.toLowerCase())) throw new CliError(`--input: the CSV header (line ${item.line}) names column "${name}" twice`);
        seen.add(name.toLowerCase());
      }
      return { line: item.line, record: {} };
    }
    if (values.length !== header.length) {
      return { line: item.line, error: `CSV: the row has ${values.length} cells, the header has ${header.length}` };
    }
    return { line: item.line, record: Object.fromEntries(header.map((name, index) => [name, values[index]])) };
  };
  let line = 0;
  let first = true;
  for await (let text of createInterface({ input: stream, crlfDelay: Infinity })) {
    line += 1;
    if (first) {
      text = text.replace(/^\uFEFF/, '');
      first = false;
    }
    for (const item of splitter.push(line, text)) {
      const wasHeader = header === undefined;
      const row = toRow(item);
      if (!wasHeader) yield row;
    }
  }
  for (const item of splitter.end()) yield toRow(item);
}

export function readRows(stream: Readable, format: InputFormat): AsyncGenerator<InputRow> {
  return format === 'jsonl' ? jsonLines(stream) : csvRows(stream);
}
