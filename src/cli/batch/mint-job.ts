import type { KeyObject } from 'node:crypto';
import { cloudRowUser, qseowRowUser, type BatchRecord } from '../../core/batch/batch-row.js';
import { parseRawRow, type CsvCells, type InputRow, type RawRow } from './row-parsing.js';
import { cloudTokenMinter, type CloudSharedOptions } from '../../core/qlik/cloud-token.js';
import { qseowTokenMinter, type QseowSharedOptions } from '../../core/qlik/qseow-token.js';
import { signPrepared, type UnsignedToken } from '../../core/qlik/prepared-token.js';
import { AUTHORIZATION_HEADER_WARN_BYTES, AUTHORIZATION_PREFIX } from '../../core/qlik/qlik-limits.js';

/** What every worker needs, sent once: the platform, the shared settings and the parsed key. */
export interface MintSetup {
  platform: 'qseow' | 'cloud';
  shared: Omit<QseowSharedOptions, 'privateKey'> | Omit<CloudSharedOptions, 'privateKey'>;
  privateKey: KeyObject;
}

/**
 * Builds and checks one row's token, with the shared settings checked and encoded once per thread.
 * `rowJwtIds` is set for Qlik Cloud, which accepts each jti once: it reads a jti the row itself gives.
 */
export type RowMinter = ((record: BatchRecord) => UnsignedToken) & {
  rowJwtIds?: (record: BatchRecord) => string | undefined;
};

/**
 * Throws when the shared settings are unusable on their face (a registered attribute name, a bad kid);
 * settings that only a token shows to be wrong (a bad --expires) fail each row instead, which the
 * caller's sample row reports first.
 */
export function rowMinter(setup: MintSetup): RowMinter {
  const shared = Object.assign({}, setup.shared, { privateKey: setup.privateKey });
  if (setup.platform === 'qseow') {
    const minter = qseowTokenMinter(shared as QseowSharedOptions);
    return (record) => minter.prepare(qseowRowUser(record));
  }
  const minter = cloudTokenMinter(shared as CloudSharedOptions);
  return Object.assign((record: BatchRecord) => minter.prepare(cloudRowUser(record)), { rowJwtIds: givenJwtId });
}

/** The jti a row gives (field names are case-insensitive), if any; minted jtis are random and unique. */
function givenJwtId(record: BatchRecord): string | undefined {
  for (const name in record) {
    if (name.length === 3 && name.toLowerCase() === 'jti' && Object.hasOwn(record, name)) {
      const value = record[name];
      if (value !== undefined && value !== null && value !== '') return String(value);
    }
  }
  return undefined;
}

/** The token length above which largeHeaderWarning warns. */
const LARGE_TOKEN_LENGTH = AUTHORIZATION_HEADER_WARN_BYTES - AUTHORIZATION_PREFIX.length;

export type MintResult = { line: number; token: string } | { line: number; error: string };

/** One chunk's output: JSON Lines text ready to write, and its counts for the summary. */
export interface ChunkResult {
  text: string;
  rows: number;
  failed: number;
  firstFailure: number | undefined;
  /** Lines of tokens whose Authorization header line is over what many servers accept. */
  largeTokenLines?: number[];
  /** Line and jti of each token minted with a jti its row gave (Qlik Cloud only), for the duplicate check. */
  jwtIds?: [number, string][];
}

type PreparedRow = { line: number; unsigned: UnsignedToken } | { line: number; error: string };

/** Builds and checks one row's token; a bad row becomes an error result, never an exception. */
function prepareRow(minter: RowMinter, row: InputRow): PreparedRow {
  if ('error' in row) return row;
  try {
    return { line: row.line, unsigned: minter(row.record) };
  } catch (error) {
    return { line: row.line, error: errorText(error) };
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Mints one row; a bad row becomes an error result, never an exception. */
export function mintRow(minter: RowMinter, row: InputRow): MintResult {
  const prepared = prepareRow(minter, row);
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
export function mintChunk(
  minter: RowMinter,
  rows: readonly RawRow[],
  header: readonly string[] | undefined,
  cells: CsvCells,
): ChunkResult {
  // Loops rather than map(): V8 dropped its compiled code for inlined map() calls once per thread when
  // the arrays' internal shape changed, and compiled this again (measured with --trace-deopt).
  const prepared: PreparedRow[] = [];
  let jwtIds: [number, string][] | undefined;
  for (const raw of rows) {
    const row = parseRawRow(raw, header, cells);
    const made = prepareRow(minter, row);
    prepared.push(made);
    if (minter.rowJwtIds && 'record' in row && !('error' in made)) {
      const jti = minter.rowJwtIds(row.record);
      if (jti !== undefined) (jwtIds ??= []).push([row.line, jti]);
    }
  }
  const results: MintResult[] = [];
  for (const row of prepared) {
    if ('error' in row) results.push(row);
    else {
      try {
        results.push({ line: row.line, token: signPrepared(row.unsigned) });
      } catch (error) {
        results.push({ line: row.line, error: errorText(error) });
      }
    }
  }
  let text = '';
  let failed = 0;
  let firstFailure: number | undefined;
  let largeTokenLines: number[] | undefined;
  for (const result of results) {
    if ('token' in result) {
      if (result.token.length > LARGE_TOKEN_LENGTH) (largeTokenLines ??= []).push(result.line);
      text += `{"line":${result.line},"token":"${result.token}"}\n`;
    } else {
      failed += 1;
      firstFailure ??= result.line;
      text += `${JSON.stringify(result)}\n`;
    }
  }
  const result: ChunkResult = { text, rows: rows.length, failed, firstFailure };
  if (jwtIds) result.jwtIds = jwtIds;
  if (largeTokenLines) result.largeTokenLines = largeTokenLines;
  return result;
}
