import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { BatchRecord } from '../../core/batch/batch-row.js';
import type { InputRow } from './mint-job.js';
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
  const { parse } = await import('csv-parse');
  const skipped: InputRow[] = [];
  const parser = stream.pipe(parse({
    columns: (header: string[]) => header.map((name) => name.trim()),
    bom: true,
    trim: true,
    skip_empty_lines: true,
    info: true,
    max_record_size: MAX_RECORD_CHARACTERS,
    skip_records_with_error: true,
  }));
  // A malformed record (an unclosed quote, a wrong cell count) is reported and skipped, not fatal.
  parser.on('skip', (error: Error & { lines?: number }) => {
    skipped.push({ line: error.lines ?? 0, error: `CSV: ${error.message.replace(/^Invalid Record Length: /, 'wrong number of cells: ')}` });
  });
  for await (const item of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    while (skipped.length > 0) yield skipped.shift() as InputRow;
    yield { line: item.info.lines, record: item.record };
  }
  while (skipped.length > 0) yield skipped.shift() as InputRow;
}

export function readRows(stream: Readable, format: InputFormat): AsyncGenerator<InputRow> {
  return format === 'jsonl' ? jsonLines(stream) : csvRows(stream);
}
