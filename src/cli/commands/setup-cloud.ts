import type { Command } from 'commander';
import { QsJwtError } from '../../core/errors.js';
import { loadPrivateKey } from '../../core/keys/key-input.js';
import { createCloudToken } from '../../core/qlik/cloud-token.js';
import type { CloudConnection } from '../../provisioning/client/cloud-client.js';
import { runSetupCloud, type SetupCloudResult } from '../../provisioning/client/cloud-setup-run.js';
import { ProvisioningError } from '../../provisioning/provisioning-error.js';
import { CliError, EXIT } from '../cli-error.js';
import { newCommand } from '../command-setup.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { readInput } from '../io/input-file.js';
import { addSettings } from '../settings/add-settings.js';
import { resolveCommandSettings } from '../settings/command-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
import { httpsUrl, readCertificate } from './setup-qseow.js';
import { writeStderr, writeStdout } from '../io/standard-streams.js';

/**
 * qs-jwt setup cloud: makes the tenant's JWT identity provider match the issuer, key ID and
 * certificate tokens are minted with, through the identity-providers API and an API key. The plan is
 * pure (src/provisioning/cloud-plan.ts), the calls in src/provisioning/client. Connection helpers are
 * shared with doctor-cloud.
 */

export interface CloudConnectionFlags {
  tenant?: string;
  apiKeyEnv?: string;
  apiKeyFile?: string;
  ca?: string;
  /** Milliseconds (the timeout setting's parser). */
  timeout: number;
}

interface SetupCloudFlags extends CloudConnectionFlags {
  issuer?: string;
  kid?: string;
  cert?: string;
  key?: string;
  description: string;
  /** Seconds (the clock tolerance setting's parser). */
  clockTolerance?: number;
  replace?: boolean;
  dryRun?: boolean;
  format: 'text' | 'json';
}

export function declareCloudConnectionOptions(command: Command): Command {
  command
    .option('--api-key-env <var>', 'environment variable holding an API key of a TenantAdmin')
    .option('--api-key-file <file>', 'or a file holding it');
  return addSettings(command, [
    SETTINGS.tenant,
    { setting: SETTINGS.ca, note: 'a test tenant behind a private CA' },
    SETTINGS.timeout,
    SETTINGS.profile,
    SETTINGS.config,
  ]);
}

export async function cloudConnection(flags: CloudConnectionFlags): Promise<CloudConnection> {
  const tenant = httpsUrl(flags.tenant, '--tenant', 'https://acme.eu.qlikcloud.com');
  if ((flags.apiKeyEnv === undefined) === (flags.apiKeyFile === undefined))
    throw new CliError(
      'give one of --api-key-env VAR and --api-key-file FILE: an API key of a TenantAdmin (Profile settings, API keys)',
    );
  let apiKey: string;
  if (flags.apiKeyEnv !== undefined) {
    apiKey = (process.env[flags.apiKeyEnv] ?? '').trim();
    if (apiKey === '')
      throw new CliError(`--api-key-env ${flags.apiKeyEnv}: the environment variable is not set or empty`);
  } else {
    apiKey = (await readInput(flags.apiKeyFile ?? '', '--api-key-file', 16 * 1024)).toString('utf8').trim();
    if (apiKey === '' || /\s/.test(apiKey))
      throw new CliError(`--api-key-file ${flags.apiKeyFile}: expected the API key alone on one line`);
  }
  const ca = flags.ca === undefined ? undefined : (await readInput(flags.ca, '--ca', 256 * 1024)).toString('utf8');
  return { tenant, apiKey, tls: { ca, insecure: false }, timeoutMs: flags.timeout };
}

function report(result: SetupCloudResult): string {
  const { identityProvider: idp } = result;
  const lines: string[] = [];
  if (!result.changed)
    lines.push(
      `no change: identity provider ${idp.id ?? '?'} has issuer ${idp.issuer}, kid ${idp.keyId} and this certificate`,
    );
  else if (result.dryRun)
    lines.push(
      `would ${idp.action} the identity provider (issuer ${idp.issuer}, kid ${idp.keyId}): ${result.steps.join(', ')}`,
      'dry run: nothing was written',
    );
  else
    lines.push(
      `${idp.action === 'rotate' ? 'rotated to' : 'created'} identity provider ${idp.id ?? '?'} (issuer ${idp.issuer}, kid ${idp.keyId})`,
      ...result.steps.map((step) => `  ${step}`),
    );
  return `${lines.join('\n')}\n`;
}

export function buildCommand(): Command {
  const command = newCommand(
    'setup cloud',
    "Create the tenant's JWT identity provider from your issuer, key ID and certificate; --replace rotates to a new key.",
    [
      'qs-jwt setup cloud --tenant https://acme.eu.qlikcloud.com --api-key-env QLIK_API_KEY --issuer https://idp.acme.com --kid k1 --cert publickey.cer',
      'qs-jwt setup cloud --tenant https://acme.eu.qlikcloud.com --api-key-file key.txt --issuer https://idp.acme.com --kid k2 \\',
      '    --cert new.cer --key new-privatekey.pem --replace     # create, prove a login, then delete the old IdP',
      'qs-jwt setup cloud ... --dry-run --format json',
    ],
  );
  declareCloudConnectionOptions(command);
  addSettings(command, [
    { setting: SETTINGS.issuer, required: 'the issuer tokens are minted with' },
    { setting: SETTINGS.kid, required: 'the key ID tokens are minted with' },
    { setting: SETTINGS.cert, required: 'the certificate of the signing key (publickey.cer)' },
    {
      setting: SETTINGS.key,
      note: 'required with --replace: a token signed with it must log in before the old IdP goes',
    },
    {
      setting: SETTINGS.clockTolerance,
      required: undefined,
      note: 'clockToleranceSec of a new identity provider (at most 1h)',
    },
    {
      setting: SETTINGS.format,
      choices: ['text', 'json'],
      note: 'text, or JSON {changed, identityProvider, deleted, steps, warnings}',
    },
  ]);
  command
    .option('--description <text>', 'description of a new identity provider', 'JWT identity provider (qs-jwt)')
    .option('--replace', 'rotate: create the new IdP, prove it, delete the IdPs with the same issuer or key ID')
    .option('--dry-run', 'say what would change and write nothing');
  return command.action(async (_options: SetupCloudFlags, self: Command) => {
    const settings = await resolveCommandSettings(self, 'cloud');
    const flags = self.opts<SetupCloudFlags>();
    // The key is read only for --replace's proof: a keyFile in the profile does not make it needed.
    if (!flags.replace && settings.source('key')?.kind !== 'flag') flags.key = undefined;
    if (flags.replace && flags.key === undefined)
      throw new CliError(
        '--replace needs --key: a token signed with the new key must log in before the old identity provider is deleted',
      );
    const certificatePem = await readCertificate(flags.cert ?? '');
    let tolerance: number | undefined;
    if (settings.given('clockTolerance') && flags.clockTolerance !== undefined) {
      if (flags.clockTolerance > 3600)
        throw new CliError(`${settings.describe('clockTolerance')}: expected a duration from 0s to 1h`);
      tolerance = Math.round(flags.clockTolerance);
    }
    let privateKey;
    if (flags.key !== undefined) {
      try {
        privateKey = loadPrivateKey(await readInput(flags.key, '--key'));
      } catch (error) {
        if (error instanceof QsJwtError) throw new CliError(`--key ${flags.key}: ${error.message}`);
        throw error;
      }
    }
    const connection = await cloudConnection(flags);
    const issuer = flags.issuer ?? '';
    const keyId = flags.kid ?? '';
    // The proof logs in as a fixed technical user; Qlik creates it on first login.
    const mintProof =
      privateKey &&
      (() =>
        createCloudToken({
          privateKey,
          subject: 'qs-jwt-setup-check',
          name: 'qs-jwt setup check',
          email: 'qs-jwt-setup-check@invalid.example',
          issuer,
          keyId,
          expires: '1m',
          notBefore: '-30s',
        }).token);
    let result: SetupCloudResult;
    try {
      result = await runSetupCloud({
        connection,
        replace: flags.replace ?? false,
        dryRun: flags.dryRun ?? false,
        mintProof,
        desired: { issuer, keyId, certificatePem, description: flags.description, clockToleranceSec: tolerance },
      });
    } catch (error) {
      if (error instanceof ProvisioningError) throw new CliError(error.message, EXIT.failure);
      throw error;
    }
    for (const warning of result.warnings) writeStderr(`qs-jwt: warning: ${warning}\n`);
    writeStdout(flags.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : report(result));
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
