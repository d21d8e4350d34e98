import type { Command } from 'commander';
import { QsJwtError } from '../../core/errors.js';
import { loadPrivateKey } from '../../core/keys/key-input.js';
import { decodeToken } from '../../core/lint/decode-token.js';
import { createCloudToken } from '../../core/qlik/cloud-token.js';
import { cloudApi } from '../../provisioning/client/cloud-client.js';
import { listIdentityProviders, requireTenantAdmin } from '../../provisioning/client/cloud-setup-run.js';
import { diagnoseIdentityProviders } from '../../provisioning/cloud-diagnosis.js';
import {
  doctorFinding,
  doctorReportText,
  hasDoctorErrors,
  type DoctorFinding,
} from '../../provisioning/doctor-rules.js';
import { ProvisioningError } from '../../provisioning/provisioning-error.js';
import { CliError, EXIT } from '../cli-error.js';
import { newCommand } from '../command-setup.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { readInput } from '../io/input-file.js';
import { addSettings } from '../settings/add-settings.js';
import { resolveCommandSettings } from '../settings/command-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
import { readTokenArgument } from '../io/token-input.js';
import { cloudConnection, declareCloudConnectionOptions, type CloudConnectionFlags } from './setup-cloud.js';
import { certificateOrKey } from './setup-qseow.js';
import { writeStdout } from '../io/standard-streams.js';

/**
 * qs-jwt doctor cloud: reads the tenant's JWT identity providers and checks them against the tokens'
 * issuer and key ID and the local key or certificate (src/provisioning/cloud-diagnosis.ts); ends
 * with a live login through /login/jwt-session when it has a token.
 */

interface DoctorCloudFlags extends CloudConnectionFlags {
  issuer?: string;
  kid?: string;
  cert?: string;
  key?: string;
  token?: string;
  sub?: string;
  name?: string;
  email?: string;
  format: 'text' | 'json';
}

export function buildCommand(): Command {
  const command = newCommand(
    'doctor cloud',
    "Check the tenant's JWT identity providers against your issuer, key ID and key; every finding with a code and fix.",
    [
      'qs-jwt doctor cloud --tenant https://acme.eu.qlikcloud.com --api-key-env QLIK_API_KEY --issuer https://idp.acme.com --kid k1 --cert publickey.cer',
      'qs-jwt doctor cloud --tenant https://acme.eu.qlikcloud.com --api-key-env QLIK_API_KEY --token "$TOKEN"   # issuer and kid from the token, then a live login',
      'qs-jwt doctor cloud ... --key privatekey.pem --sub anna --name Anna --email anna@acme.com --format json',
    ],
  );
  declareCloudConnectionOptions(command);
  addSettings(command, [
    { setting: SETTINGS.issuer, note: "default: the --token's" },
    { setting: SETTINGS.kid, note: "default: the --token's" },
    { setting: SETTINGS.cert, note: 'compared with the identity provider by public key' },
    {
      setting: SETTINGS.key,
      note: 'or the private key (compared by public key; with --sub, --name, --email: a live login)',
    },
    { setting: SETTINGS.token, note: 'a real token: issuer and kid come from it, and it is used for the live login' },
    { setting: SETTINGS.sub, note: 'with --key: the user of the live login' },
    { setting: SETTINGS.name, note: 'with --key: the name of that user' },
    { setting: SETTINGS.email, note: 'with --key: the email of that user' },
    {
      setting: SETTINGS.format,
      choices: ['text', 'json'],
      note: 'text, or JSON {ok, findings: [{code, severity, message, fix}]}',
    },
  ]);
  return command.action(async (_options: DoctorCloudFlags, self: Command) => {
    const settings = await resolveCommandSettings(self, 'cloud');
    const flags = { ...self.opts<DoctorCloudFlags>(), ...certificateOrKey(settings) };
    const token = flags.token === undefined ? undefined : await readTokenArgument(flags.token);
    const decoded = token === undefined ? undefined : decodeToken(token);
    if (decoded && (!decoded.header || !decoded.payload))
      throw new CliError('--token: not a JWT (header.payload.signature)');
    const issuer = flags.issuer ?? (typeof decoded?.payload?.['iss'] === 'string' ? decoded.payload['iss'] : undefined);
    const keyId = flags.kid ?? (typeof decoded?.header?.['kid'] === 'string' ? decoded.header['kid'] : undefined);
    if (issuer === undefined || keyId === undefined)
      throw new CliError('give --issuer and --kid, or a --token that carries iss and kid');
    let localKeyPem: string | undefined;
    let privateKey;
    if (flags.cert !== undefined) localKeyPem = (await readInput(flags.cert, '--cert', 256 * 1024)).toString('utf8');
    if (flags.key !== undefined) {
      try {
        privateKey = loadPrivateKey(await readInput(flags.key, '--key'));
      } catch (error) {
        if (error instanceof QsJwtError) throw new CliError(`--key ${flags.key}: ${error.message}`);
        throw error;
      }
      localKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    }
    const connection = await cloudConnection(flags);
    let findings: DoctorFinding[];
    try {
      await requireTenantAdmin(connection);
      const idps = await listIdentityProviders(connection);
      const diagnosis = diagnoseIdentityProviders({
        idps,
        issuer,
        keyId,
        localKeyPem,
        localKeyLabel:
          flags.cert !== undefined
            ? `--cert ${flags.cert}`
            : flags.key !== undefined
              ? `--key ${flags.key}`
              : undefined,
      });
      findings = diagnosis.findings;
      const live =
        token ??
        (privateKey && flags.sub !== undefined && flags.name !== undefined && flags.email !== undefined
          ? createCloudToken({
              privateKey,
              subject: flags.sub,
              name: flags.name,
              email: flags.email,
              issuer,
              keyId,
              expires: '2m',
              notBefore: '-30s',
            }).token
          : undefined);
      if (live !== undefined && diagnosis.idp !== undefined) {
        try {
          await cloudApi(connection, '/login/jwt-session', { method: 'POST', bearer: live });
          findings.push(doctorFinding('QD208', `as ${flags.sub ?? String(decoded?.payload?.['sub'])}`));
        } catch (error) {
          if (!(error instanceof ProvisioningError)) throw error;
          findings.push(doctorFinding('QD209', error.message));
        }
      }
    } catch (error) {
      if (error instanceof ProvisioningError) throw new CliError(error.message, EXIT.failure);
      throw error;
    }
    const ok = !hasDoctorErrors(findings);
    if (flags.format === 'json') writeStdout(`${JSON.stringify({ ok, findings }, null, 2)}\n`);
    else writeStdout(doctorReportText(findings, `identity provider for ${issuer} / ${keyId}`));
    process.exitCode = ok ? EXIT.ok : EXIT.failure;
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
