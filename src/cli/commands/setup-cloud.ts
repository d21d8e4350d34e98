import { Option, type Command } from 'commander';
import { QsJwtError } from '../../core/errors.js';
import { loadPrivateKey } from '../../core/keys/key-input.js';
import { createCloudToken } from '../../core/qlik/cloud-token.js';
import { parseSignedDuration } from '../../core/time/duration.js';
import type { CloudConnection } from '../../provisioning/client/cloud-client.js';
import { runSetupCloud, type SetupCloudResult } from '../../provisioning/client/cloud-setup-run.js';
import { ProvisioningError } from '../../provisioning/provisioning-error.js';
import { CliError, EXIT } from '../cli-error.js';
import { newCommand } from '../command-setup.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { readInput } from '../io/input-file.js';
import { profilePath } from '../config/config-file.js';
import { addProfileOptions, useProfile } from '../config/profile-options.js';
import { durationMs, httpsUrl, readCertificate } from './setup-qseow.js';

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
  timeout: string;
}

interface SetupCloudFlags extends CloudConnectionFlags {
  issuer?: string;
  kid?: string;
  cert?: string;
  key?: string;
  description: string;
  clockTolerance?: string;
  replace?: boolean;
  dryRun?: boolean;
  format: 'text' | 'json';
}

export function declareCloudConnectionOptions(command: Command): Command {
  return command
    .option('--tenant <url>', 'the tenant: https://<tenant>.<region>.qlikcloud.com')
    .option('--api-key-env <var>', "environment variable holding an API key of a TenantAdmin")
    .option('--api-key-file <file>', 'or a file holding it')
    .option('--ca <file>', 'trust these PEM CA certificates (a test tenant behind a private CA)')
    .option('--timeout <duration>', 'limit for each request', '10s');
}

export async function cloudConnection(flags: CloudConnectionFlags): Promise<CloudConnection> {
  const tenant = httpsUrl(flags.tenant, '--tenant', 'https://acme.eu.qlikcloud.com');
  if ((flags.apiKeyEnv === undefined) === (flags.apiKeyFile === undefined)) throw new CliError('give one of --api-key-env VAR and --api-key-file FILE: an API key of a TenantAdmin (Profile settings, API keys)');
  let apiKey: string;
  if (flags.apiKeyEnv !== undefined) {
    apiKey = (process.env[flags.apiKeyEnv] ?? '').trim();
    if (apiKey === '') throw new CliError(`--api-key-env ${flags.apiKeyEnv}: the environment variable is not set or empty`);
  } else {
    apiKey = (await readInput(flags.apiKeyFile ?? '', '--api-key-file', 16 * 1024)).toString('utf8').trim();
    if (apiKey === '' || /\s/.test(apiKey)) throw new CliError(`--api-key-file ${flags.apiKeyFile}: expected the API key alone on one line`);
  }
  const ca = flags.ca === undefined ? undefined : (await readInput(flags.ca, '--ca', 256 * 1024)).toString('utf8');
  return { tenant, apiKey, tls: { ca, insecure: false }, timeoutMs: durationMs(flags.timeout, '--timeout') };
}

function report(result: SetupCloudResult): string {
  const { identityProvider: idp } = result;
  const lines: string[] = [];
  if (!result.changed) lines.push(`no change: identity provider ${idp.id ?? '?'} has issuer ${idp.issuer}, kid ${idp.keyId} and this certificate`);
  else if (result.dryRun) lines.push(`would ${idp.action} the identity provider (issuer ${idp.issuer}, kid ${idp.keyId}): ${result.steps.join(', ')}`, 'dry run: nothing was written');
  else lines.push(`${idp.action === 'rotate' ? 'rotated to' : 'created'} identity provider ${idp.id ?? '?'} (issuer ${idp.issuer}, kid ${idp.keyId})`, ...result.steps.map((step) => `  ${step}`));
  return `${lines.join('\n')}\n`;
}

export function buildCommand(): Command {
  const command = newCommand('setup cloud', "Create the tenant's JWT identity provider from your issuer, key ID and certificate; --replace rotates to a new key.", [
    'qs-jwt setup cloud --tenant https://acme.eu.qlikcloud.com --api-key-env QLIK_API_KEY --issuer https://idp.acme.com --kid k1 --cert publickey.cer',
    'qs-jwt setup cloud --tenant https://acme.eu.qlikcloud.com --api-key-file key.txt --issuer https://idp.acme.com --kid k2 \\',
    '    --cert new.cer --key new-privatekey.pem --replace     # create, prove a login, then delete the old IdP',
    'qs-jwt setup cloud ... --dry-run --format json',
  ]);
  declareCloudConnectionOptions(command)
    .option('--issuer <iss>', "the tokens' issuer")
    .option('--kid <id>', "the tokens' key ID")
    .option('--cert <file>', 'the certificate of the signing key (publickey.cer)')
    .option('--key <file>', 'the private key (required with --replace: a token signed with it must log in before the old IdP goes)')
    .option('--description <text>', 'description of a new identity provider', 'JWT identity provider (qs-jwt)')
    .option('--clock-tolerance <duration>', 'clockToleranceSec of a new identity provider (whole seconds)')
    .option('--replace', 'rotate: create the new IdP, prove it, delete the IdPs with the same issuer or key ID')
    .option('--dry-run', 'say what would change and write nothing')
    .addOption(new Option('--format <format>', 'text, or JSON {changed, identityProvider, deleted, steps, warnings}').choices(['text', 'json']).default('text'));
  addProfileOptions(command);
  return command.action(async (_options: SetupCloudFlags, self: Command) => {
    const loaded = await useProfile(self, 'cloud');
    const flags = self.opts<SetupCloudFlags>();
    flags.cert ??= loaded?.profile.certFile && profilePath(loaded, loaded.profile.certFile);
    if (flags.replace) flags.key ??= loaded?.profile.keyFile && profilePath(loaded, loaded.profile.keyFile);
    const missing = (['issuer', 'kid', 'cert'] as const).filter((name) => flags[name] === undefined);
    if (missing.length > 0) throw new CliError(`${missing.map((name) => `--${name}`).join(', ')} required: the issuer, key ID and certificate tokens are minted with`);
    if (flags.replace && flags.key === undefined) throw new CliError('--replace needs --key: a token signed with the new key must log in before the old identity provider is deleted');
    const certificatePem = await readCertificate(flags.cert ?? '');
    let tolerance: number | undefined;
    if (flags.clockTolerance !== undefined) {
      const seconds = parseSignedDuration(flags.clockTolerance);
      if (seconds === undefined || seconds < 0 || seconds > 3600) throw new CliError(`--clock-tolerance ${flags.clockTolerance}: expected a duration from 0s to 1h`);
      tolerance = Math.round(seconds);
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
    const mintProof = privateKey && (() => createCloudToken({ privateKey, subject: 'qs-jwt-setup-check', name: 'qs-jwt setup check', email: 'qs-jwt-setup-check@invalid.example', issuer, keyId, expires: '1m', notBefore: '-30s' }).token);
    let result: SetupCloudResult;
    try {
      result = await runSetupCloud({
        connection, replace: flags.replace ?? false, dryRun: flags.dryRun ?? false, mintProof,
        desired: { issuer, keyId, certificatePem, description: flags.description, clockToleranceSec: tolerance },
      });
    } catch (error) {
      if (error instanceof ProvisioningError) throw new CliError(error.message, EXIT.failure);
      throw error;
    }
    for (const warning of result.warnings) process.stderr.write(`qs-jwt: warning: ${warning}\n`);
    process.stdout.write(flags.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : report(result));
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
