import type { Command } from 'commander';
import { QsJwtError } from '../../core/errors.js';
import { loadPrivateKey } from '../../core/keys/key-input.js';
import { decodeToken } from '../../core/lint/decode-token.js';
import { qseowTokenMinter } from '../../core/qlik/qseow-token.js';
import { NetworkError, send } from '../../probe/client/http-client.js';
import { qrs } from '../../provisioning/client/qrs-client.js';
import { centralNodeId } from '../../provisioning/client/qseow-setup-run.js';
import {
  doctorFinding,
  doctorReportText,
  hasDoctorErrors,
  type DoctorFinding,
} from '../../provisioning/doctor-rules.js';
import { ProvisioningError } from '../../provisioning/provisioning-error.js';
import { diagnoseVirtualProxy } from '../../provisioning/qseow-diagnosis.js';
import type { QrsEntity } from '../../provisioning/qseow-plan.js';
import { CliError, EXIT } from '../cli-error.js';
import { newCommand } from '../command-setup.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { readInput } from '../io/input-file.js';
import { addSettings } from '../settings/add-settings.js';
import { resolveCommandSettings } from '../settings/command-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
import { readTokenArgument } from '../io/token-input.js';
import {
  certificateOrKey,
  declareConnectionOptions,
  httpsUrl,
  qrsConnection,
  type QrsConnectionFlags,
} from './setup-qseow.js';
import { writeStdout } from '../io/standard-streams.js';

/**
 * qs-jwt doctor qseow: reads the virtual proxy and its links through QRS and checks them against the
 * local key or certificate and the token settings (src/provisioning/qseow-diagnosis.ts); with
 * --server it ends with a live login through the prefix.
 */

interface DoctorQseowFlags extends QrsConnectionFlags {
  prefix?: string;
  cert?: string;
  key?: string;
  token?: string;
  audience?: string;
  usersHost?: string;
  server?: string;
  format: 'text' | 'json';
}

async function localKey(flags: DoctorQseowFlags): Promise<{ pem: string; label: string } | undefined> {
  if (flags.cert !== undefined && flags.key !== undefined)
    throw new CliError(
      'give --cert or --key, not both: the certificate tokens are verified with, or the key that signs them',
    );
  if (flags.cert !== undefined)
    return { pem: (await readInput(flags.cert, '--cert', 256 * 1024)).toString('utf8'), label: `--cert ${flags.cert}` };
  if (flags.key === undefined) return undefined;
  try {
    const privateKey = loadPrivateKey(await readInput(flags.key, '--key'));
    return { pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, label: `--key ${flags.key}` };
  } catch (error) {
    if (error instanceof QsJwtError) throw new CliError(`--key ${flags.key}: ${error.message}`);
    throw error;
  }
}

/** A token for the live login: the one given, or one minted from --key for --userid/--userdir. */
function loginToken(
  flags: DoctorQseowFlags,
  token: string | undefined,
  keyPem: string | undefined,
): string | undefined {
  if (token !== undefined) return token;
  if (flags.key === undefined || keyPem === undefined || flags.userid === undefined || flags.userdir === undefined)
    return undefined;
  const minter = qseowTokenMinter({
    privateKey: loadPrivateKey(keyPem),
    expires: '5m',
    audience: flags.audience,
    userIdAttribute: flags.useridAttr,
    userDirectoryAttribute: flags.userdirAttr,
  });
  return minter.create({ userId: flags.userid, userDirectory: flags.userdir }).token;
}

async function liveLogin(
  server: URL,
  prefix: string,
  token: string,
  tls: { ca?: string | undefined },
  timeoutMs: number,
): Promise<{ finding: DoctorFinding; user?: unknown }> {
  const target = new URL(`${server.href.replace(/\/+$/, '')}/${prefix}/qps/user`);
  try {
    const answer = await send(target, {
      headers: { authorization: `Bearer ${token}` },
      timeoutMs,
      tls: { ca: tls.ca, insecure: false },
    });
    if (answer.status !== 200)
      return {
        finding: doctorFinding(
          'QD115',
          `GET ${target.pathname} answered ${answer.status}${answer.body ? `: ${answer.body.slice(0, 120)}` : ''}`,
        ),
      };
    const user = JSON.parse(answer.body) as { userDirectory?: string; userId?: string };
    return {
      finding: doctorFinding('QD114', `authenticated as ${String(user.userDirectory)}\\${String(user.userId)}`),
      user,
    };
  } catch (error) {
    if (error instanceof NetworkError || error instanceof SyntaxError)
      return { finding: doctorFinding('QD115', error.message) };
    throw error;
  }
}

export function buildCommand(): Command {
  const command = newCommand(
    'doctor qseow',
    'Check a JWT virtual proxy through QRS against your key or certificate and token settings; every finding with a code and fix.',
    [
      'qs-jwt doctor qseow --qrs https://qlik.example.com:4242 --client-cert client.pem --client-key client_key.pem --ca root.pem \\',
      '    --prefix jwt --cert publickey.cer --users-host portal.example.com',
      'qs-jwt doctor qseow --qrs https://qlik.example.com:4242 --client-cert client.pem --client-key client_key.pem --ca root.pem \\',
      '    --prefix jwt --key privatekey.pem --userid anna --userdir ACME --server https://qlik.example.com   # ends with a live login',
      'qs-jwt doctor qseow ... --prefix jwt --token "$TOKEN" --format json',
    ],
  );
  declareConnectionOptions(command).option(
    '--users-host <host>',
    'the host users open, checked against the websocket allow list (default: the --server host)',
  );
  addSettings(command, [
    SETTINGS.prefix,
    { setting: SETTINGS.cert, note: 'compared with the virtual proxy by public key' },
    { setting: SETTINGS.key, note: 'or the private key that signs the tokens (compared by public key)' },
    {
      setting: SETTINGS.token,
      note: 'a real token: its claims are checked against the attribute names, map and audience',
    },
    { setting: SETTINGS.audience, note: "the tokens' aud (without --token)" },
    { setting: SETTINGS.server, note: 'end with a live login through the prefix' },
    {
      setting: SETTINGS.format,
      choices: ['text', 'json'],
      note: 'text, or JSON {ok, findings: [{code, severity, message, fix}], user}',
    },
  ]);
  return command.action(async (_options: DoctorQseowFlags, self: Command) => {
    const settings = await resolveCommandSettings(self, 'qseow');
    const flags = { ...self.opts<DoctorQseowFlags>(), ...certificateOrKey(settings) };
    const prefix = (flags.prefix ?? 'jwt').toLowerCase();
    const connection = await qrsConnection(flags);
    const key = await localKey(flags);
    const token = flags.token === undefined ? undefined : await readTokenArgument(flags.token);
    const claims = token === undefined ? undefined : decodeToken(token).payload;
    if (token !== undefined && !claims) throw new CliError('--token: not a JWT (header.payload.signature)');
    const server =
      flags.server === undefined ? undefined : httpsUrl(flags.server, '--server', 'https://qlik.example.com');
    const aud = claims?.['aud'];
    const audience = claims
      ? typeof aud === 'string'
        ? aud
        : Array.isArray(aud)
          ? String(aud[0])
          : undefined
      : flags.audience;
    let findings: DoctorFinding[];
    let user: unknown;
    try {
      const listed = (await qrs(connection, 'virtualproxyconfig/full')).json;
      if (!Array.isArray(listed))
        throw new ProvisioningError(`${connection.baseUrl.host}: the virtual proxy list is not a JSON array`);
      const proxies = listed as QrsEntity[];
      const proxy = proxies.find((item) => String(item['prefix']).toLowerCase() === prefix);
      const centralNode = await centralNodeId(connection);
      const servicesJson = (await qrs(connection, 'proxyservice/full')).json;
      const services = Array.isArray(servicesJson) ? (servicesJson as QrsEntity[]) : [];
      const central = services.find(
        (service) => ((service['serverNodeConfiguration'] ?? {}) as QrsEntity)['id'] === centralNode,
      );
      const links = (((central?.['settings'] ?? {}) as QrsEntity)['virtualProxies'] ?? []) as QrsEntity[];
      findings = diagnoseVirtualProxy({
        prefix,
        proxy,
        allProxies: proxies,
        linkedToCentral: proxy !== undefined && links.some((item) => item['id'] === proxy['id']),
        localKeyPem: key?.pem,
        localKeyLabel: key?.label,
        userIdAttribute: flags.useridAttr ?? 'userId',
        userDirectoryAttribute: flags.userdirAttr ?? 'userDirectory',
        audience,
        tokenClaims: claims,
        host: flags.usersHost ?? server?.hostname,
      });
      const live =
        server && proxy ? loginToken(flags, token, key && flags.key !== undefined ? key.pem : undefined) : undefined;
      if (server && live !== undefined) {
        const outcome = await liveLogin(server, prefix, live, connection.tls, connection.timeoutMs);
        findings.push(outcome.finding);
        user = outcome.user;
      }
    } catch (error) {
      if (error instanceof ProvisioningError) throw new CliError(error.message, EXIT.failure);
      throw error;
    }
    const ok = !hasDoctorErrors(findings);
    if (flags.format === 'json')
      writeStdout(`${JSON.stringify({ ok, findings, ...(user !== undefined ? { user } : {}) }, null, 2)}\n`);
    else writeStdout(doctorReportText(findings, `virtual proxy /${prefix}`));
    process.exitCode = ok ? EXIT.ok : EXIT.failure;
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
