import { open, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { csvError, loadCsvCells, MAX_RECORD_CHARACTERS, type RawRow } from './row-parsing.js';
import { CsvRecordSplitter, type CsvRecordText } from './csv-records.js';
import { CliError, EXIT } from '../cli-error.js';
import { fileError } from '../io/input-file.js';

export type InputFormat = 'csv' | 'jsonl';

export interface InputSource {
  stream: Readable;
}

export async function openInput(path: string): Promise<InputSource> {
  if (path === '-') return { stream: process.stdin };
  // Opened here, not by the stream: a stream reports an unreadable file only once reading starts,
  // with the raw system error.
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw fileError(error, path, '--input');
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) {
      throw new CliError(`--input ${path} is a folder: give a CSV or JSON Lines file`, EXIT.failure);
    }
  } catch (error) {
    await handle.close();
    throw error instanceof CliError ? error : fileError(error, path, '--input');
  }
  const stream = handle.createReadStream();
  return { stream };
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
    if ('error' in item)
      throw new CliError(`--input: the CSV header (line ${item.line}) cannot be read: ${item.error}`);
    try {
      header = cells(item.text);
    } catch (error) {
      const hint = item.text.trimStart().startsWith('{')
        ? ' (this looks like JSON Lines: pass --input-format jsonl)'
        : '';
      throw new CliError(`--input: the CSV header (line ${item.line}) cannot be read: ${csvError(error)}${hint}`);
    }
    const seen = new Set<string>();
    for (const name of header) {
      if (name === '') throw new CliError(`--input: the CSV header (line ${item.line}) has an empty column name`);
      if (seen.has(name.toLowerCase()))
        throw new CliError(`--input: the CSV header (line ${item.line}) names column "${name}" twice`);
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

export function readRows(
  stream: Readable,
  format: InputFormat,
  onHeader: (header: string[]) => void,
): AsyncGenerator<RawRow> {
  return format === 'jsonl' ? jsonLines(stream) : csvRows(stream, onHeader);
}

/**
 * The number of rows in an input file, counted in a separate pass for the progress display (a row
 * count, not a byte count: rows differ in length and CSV rows span lines). Undefined when the file
 * cannot be counted; the batch itself then reports what is wrong.
 */
export async function countRows(path: string, format: InputFormat): Promise<number | undefined> {
  try {
    const { stream } = await openInput(path);
    let rows = 0;
    for await (const row of readRows(stream, format, () => undefined)) if (row) rows += 1;
    return rows;
  } catch {
    return undefined;
  }
}
