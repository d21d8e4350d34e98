import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { csvError, loadCsvCells, MAX_RECORD_CHARACTERS, type RawRow } from './row-parsing.js';
import { CsvRecordSplitter, type CsvRecordText } from './csv-records.js';
import { CliError } from '../cli-error.js';

export type InputFormat = 'csv' | 'jsonl';



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

async function* jsonLines(stream: Readable): AsyncGenerator<RawRow> {
  let line = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    line += 1;
    if (text.trim() !== '') yield { line, json: text };
  }
}

/**
 * CSV records as raw text, for workers to split into cells; the header is read here, since every row
 * needs it and a header that cannot be read ends the run before any output.
 */
async function* csvRows(stream: Readable, onHeader: (header: string[]) => void): AsyncGenerator<RawRow> {
  const cells = await loadCsvCells();
  const splitter = new CsvRecordSplitter(MAX_RECORD_CHARACTERS);
  let header: string[] | undefined;
  const readHeader = (item: CsvRecordText): void => {
    if ('error' in item) throw new CliError(`--input: the CSV header (line ${item.line}) cannot be read: ${item.error}`);
    try {
      header = cells(item.text);
    } catch (error) {
      const hint = item.text.trimStart().startsWith('{') ? ' (this looks like JSON Lines: pass --input-format jsonl)' : '';
      throw new CliError(`--input: the CSV header (line ${item.line}) cannot be read: ${csvError(error)}${hint}`);
    }
    const seen = new Set<string>();
    for (const name of header) {
      if (name === '') throw new CliError(`--input: the CSV header (line ${item.line}) has an empty column name`);
      if (seen.has(name.toLowerCase())) throw new CliError(`--input: the CSV header (line ${item.line}) names column "${name}" twice`);
      seen.add(name.toLowerCase());
    }
    onHeader(header);
  };
  const toRaw = (item: CsvRecordText): RawRow => ('error' in item ? item : { line: item.line, csv: item.text });
  let line = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    line += 1;
    for (const item of splitter.push(line, line === 1 ? text.replace(/^\uFEFF/, '') : text)) {
      if (header === undefined) readHeader(item);
      else yield toRaw(item);
    }
  }
  for (const item of splitter.end()) {
    if (header === undefined) readHeader(item);
    else yield toRaw(item);
  }
}

export function readRows(stream: Readable, format: InputFormat, onHeader: (header: string[]) => void): AsyncGenerator<RawRow> {
  return format === 'jsonl' ? jsonLines(stream) : csvRows(stream, onHeader);
}
