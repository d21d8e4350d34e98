import type { KeyObject } from 'node:crypto';
import { cloudRowOptions, qseowRowOptions, type CloudShared, type QseowShared } from '../../core/batch/batch-row.js';
import { parseRawRow, type CsvCells, type InputRow, type RawRow } from './row-parsing.js';
import { prepareCloudToken } from '../../core/qlik/cloud-token.js';
import { prepareQseowToken } from '../../core/qlik/qseow-token.js';
import { signPrepared, type UnsignedToken } from '../../core/qlik/token-common.js';

/** What every worker needs, sent once: the platform, the shared settings and the parsed key. */
export interface MintSetup {
  platform: 'qseow' | 'cloud';
  shared: Omit<QseowShared, 'privateKey'> | Omit<CloudShared, 'privateKey'>;
  privateKey: KeyObject;
}

export type MintResult = { line: number; token: string } | { line: number; error: string };

/** One chunk's output: JSON Lines text ready to write, and its counts for the summary. */
export interface ChunkResult {
  text: string;
  rows: number;
  failed: number;
  firstFailure: number | undefined;
}

type PreparedRow = { line: number; unsigned: UnsignedToken } | { line: number; error: string };

/** Builds and checks one row's token; a bad row becomes an error result, never an exception. */
function prepareRow(setup: MintSetup, row: InputRow): PreparedRow {
  if ('error' in row) return row;
  const { line, record } = row;
  try {
    // Object.assign, not { ...shared, key }: on Node 20 a spread followed by properties takes a slow
    // path (~1 µs per property, measured), and this runs once per row.
    const shared = Object.assign({}, setup.shared, { privateKey: setup.privateKey });
    const unsigned = setup.platform === 'qseow'
      ? prepareQseowToken(qseowRowOptions(record, shared as QseowShared))
      : prepareCloudToken(cloudRowOptions(record, shared as CloudShared));
    return { line, unsigned };
  } catch (error) {
    return { line, error: errorText(error) };
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Mints one row; a bad row becomes an error result, never an exception. */
export function mintRow(setup: MintSetup, row: InputRow): MintResult {
  const prepared = prepareRow(setup, row);
  if ('error' in prepared) return prepared;
  try {
    return { line: prepared.line, token: signPrepared(prepared.unsigned) };
  } catch (error) {
    return { line: prepared.line, error: errorText(error) };
  }
}

/**
 * Parses, mints and formats a chunk where it runs (a worker thread), so the main thread only splits
 * input and writes output. Every row is prepared before any is signed: one pass of JavaScript, then
 * one of OpenSSL, keeps each in the CPU caches (see UnsignedToken). A token is base64url and dots and
 * needs no JSON escaping.
 */
export function mintChunk(setup: MintSetup, rows: readonly RawRow[], header: readonly string[] | undefined, cells: CsvCells): ChunkResult {
  const prepared = rows.map((raw) => prepareRow(setup, parseRawRow(raw, header, cells)));
  const results = prepared.map((row): MintResult => {
    if ('error' in row) return row;
    try {
      return { line: row.line, token: signPrepared(row.unsigned) };
    } catch (error) {
      return { line: row.line, error: errorText(error) };
    }
  });
  let text = '';
  let failed = 0;
  let firstFailure: number | undefined;
  for (const result of results) {
    if ('token' in result) {
      text += `{"line":${result.line},"token":"${result.token}"}\n`;
    } else {
      failed += 1;
      firstFailure ??= result.line;
      text += `${JSON.stringify(result)}\n`;
    }
  }
  return { text, rows: rows.length, failed, firstFailure };
}
