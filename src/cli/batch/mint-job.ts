import type { KeyObject } from 'node:crypto';
import { cloudRowOptions, qseowRowOptions, type BatchRecord, type CloudShared, type QseowShared } from '../../core/batch/batch-row.js';
import { createCloudToken } from '../../core/qlik/cloud-token.js';
import { createQseowToken } from '../../core/qlik/qseow-token.js';

/** What every worker needs, sent once: the platform, the shared settings and the parsed key. */
export interface MintSetup {
  platform: 'qseow' | 'cloud';
  shared: Omit<QseowShared, 'privateKey'> | Omit<CloudShared, 'privateKey'>;
  privateKey: KeyObject;
}

export type MintResult = { line: number; token: string } | { line: number; error: string };

/** An input row as read: a record, or the reason it could not be read. */
export type InputRow = { line: number; record: BatchRecord } | { line: number; error: string };

/** Mints one row; a bad row becomes an error result, never an exception. */
export function mintRow(setup: MintSetup, row: InputRow): MintResult {
  if ('error' in row) return row;
  const { line, record } = row;
  try {
    const shared = { ...setup.shared, privateKey: setup.privateKey };
    const created = setup.platform === 'qseow'
      ? createQseowToken(qseowRowOptions(record, shared as QseowShared))
      : createCloudToken(cloudRowOptions(record, shared as CloudShared));
    return { line, token: created.token };
  } catch (error) {
    return { line, error: error instanceof Error ? error.message : String(error) };
  }
}
