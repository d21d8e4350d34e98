import type { Command } from 'commander';
import { access, stat } from 'node:fs/promises';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { join, relative, resolve } from 'node:path';
import { createCloudToken } from '../../core/qlik/cloud-token.js';
import { createQseowToken } from '../../core/qlik/qseow-token.js';
import { splitCompact, verifyCompactSignature } from '../../core/jose/compact-jws.js';
import { jwkThumbprint } from '../../core/keys/jwk.js';
import { loadPrivateKey, loadPublicKey } from '../../core/keys/key-input.js';
import { toSingleLinePem } from '../../core/keys/pem-blocks.js';
import type { CreatedToken } from '../../core/qlik/token-common.js';
import { CliError, EXIT } from '../cli-error.js';
import { newCommand } from '../command-setup.js';
import { writeFilesAtomically } from '../io/atomic-write.js';
import { readInput } from '../io/input-file.js';
import { createKeyFiles, keyFilePaths } from '../key-files.js';
import { addSettings } from '../settings/add-settings.js';
import { resolveSettings } from '../settings/resolve-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { writeStderr, writeStdout } from '../io/standard-streams.js';

interface QuickstartFlags {
  out: string;
  force?: boolean;
}

const EXAMPLE = {
  userId: 'anna',
  userDirectory: 'QSJWT',
  name: 'Anna Example',
  email: 'anna@example.com',
  groups: ['Sales', 'Analysts'],
  issuer: 'https://qs-jwt.example.com',
  prefix: 'jwt',
};

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

interface QuickstartKeys {
  privateKey: KeyObject;
  certificatePem: string;
  reused: boolean;
  /** Permission bits of the private key file as it is on disk. */
  keyMode: number;
}

/** Re-uses keys from an earlier run, so running quickstart twice does not invalidate pasted certificates. */
async function keysFor(outDir: string, force: boolean): Promise<QuickstartKeys> {
  const paths = keyFilePaths(outDir, '');
  if (!force && (await exists(paths.privateKeyPath)) && (await exists(paths.certificatePath))) {
    const privateKey = loadPrivateKey(await readInput(paths.privateKeyPath, 'private key'));
    const certificatePem = (await readInput(paths.certificatePath, 'certificate')).toString('utf8');
    const certificateKey = loadPublicKey(certificatePem);
    if (!certificateKey.equals(createPublicKey(privateKey))) {
      throw new CliError(
        `${paths.certificatePath} does not belong to ${paths.privateKeyPath}: pass --force to create a fresh pair`,
        EXIT.failure,
      );
    }
    const keyMode = (await stat(paths.privateKeyPath)).mode & 0o777;
    return { privateKey, certificatePem, reused: true, keyMode };
  }
  const result = await createKeyFiles({
    outDir,
    prefix: '',
    bits: 4096,
    days: 1825,
    commonName: 'qs-jwt',
    force,
    singleLine: true,
  });
  const { certificatePem } = result;
  return { privateKey: result.keyPair.privateKey, certificatePem, reused: false, keyMode: 0o600 };
}

/**
 * How the private key's permissions are shown, and a warning when others may read it. On Windows, Node
 * derives modes from the read-only attribute alone (0666 or 0444), and access is governed by ACLs that
 * modes do not show, so no mode is claimed there and no warning given.
 */
export function keyModeReport(
  path: string,
  mode: number,
  platform: NodeJS.Platform,
): { label: string; warning?: string } {
  if (platform === 'win32') return { label: 'keep it secret' };
  const octal = `0${mode.toString(8).padStart(3, '0')}`;
  if ((mode & 0o077) === 0) return { label: `mode ${octal}: keep it secret` };
  return {
    label: `mode ${octal}: READABLE BY OTHERS`,
    warning:
      `qs-jwt: warning: the private key ${path} is mode ${octal}, readable by other users: ` + `run chmod 600 ${path}`,
  };
}

/** Checks the token the way the server will: signature against the certificate, then the time window. */
function checkToken(created: CreatedToken, certificatePem: string): string {
  const publicKey = loadPublicKey(certificatePem);
  if (!verifyCompactSignature(splitCompact(created.token), publicKey, created.header.alg)) {
    throw new CliError(
      'the example token does not verify with the certificate: the key files do not match',
      EXIT.failure,
    );
  }
  const now = Math.floor(Date.now() / 1000);
  const { nbf, exp } = created.payload as { nbf: number; exp: number };
  if (!(nbf <= now && now < exp))
    throw new CliError('the example token is outside its validity window: check the system clock', EXIT.failure);
  return `signature verified with the certificate; valid until ${created.expiresAt}`;
}

export function buildCommand(): Command {
  const command = newCommand(
    'quickstart',
    'Create a key pair and certificate (or re-use them), mint and check an example QSEoW token and an example Qlik Cloud token, and print what to paste where.',
    [
      'qs-jwt quickstart',
      'qs-jwt quickstart --out ./my-qlik-jwt',
      'qs-jwt quickstart --out ./my-qlik-jwt --force    # new keys even if the folder has some',
    ],
  );
  addSettings(command, [
    { setting: SETTINGS.out, default: 'qs-jwt-quickstart', note: 'the keys, certificate and example tokens' },
    { setting: SETTINGS.force, note: 'create new keys even when the folder already has a pair' },
  ]);
  return command.action(async (_flags: QuickstartFlags, self: Command) => {
    resolveSettings(self);
    const flags = self.opts<QuickstartFlags>();
    const outDir = resolve(flags.out);
    const { privateKey, certificatePem, reused, keyMode } = await keysFor(outDir, Boolean(flags.force));
    const kid = await jwkThumbprint(createPublicKey(privateKey));
    const qseow = createQseowToken({
      privateKey,
      userId: EXAMPLE.userId,
      userDirectory: EXAMPLE.userDirectory,
      name: EXAMPLE.name,
      email: EXAMPLE.email,
      groups: EXAMPLE.groups,
      expires: '1h',
    });
    const cloud = createCloudToken({
      privateKey,
      subject: EXAMPLE.userId,
      name: EXAMPLE.name,
      email: EXAMPLE.email,
      groups: EXAMPLE.groups,
      issuer: EXAMPLE.issuer,
      keyId: kid,
      expires: '5m',
    });
    const qseowCheck = checkToken(qseow, certificatePem);
    const cloudCheck = checkToken(cloud, certificatePem);
    const qseowPath = join(outDir, 'qseow.jwt');
    const cloudPath = join(outDir, 'cloud.jwt');
    await writeFilesAtomically(
      [
        { path: qseowPath, content: `${qseow.token}\n`, mode: 0o600 },
        { path: cloudPath, content: `${cloud.token}\n`, mode: 0o600 },
      ],
      { force: true },
    );
    const show = (path: string): string => relative(process.cwd(), path) || path;
    const certificatePath = show(join(outDir, 'publickey.cer'));
    const keyPath = show(join(outDir, 'privatekey.pem'));
    const keyModeShown = keyModeReport(keyPath, keyMode, process.platform);
    if (keyModeShown.warning) writeStderr(`${keyModeShown.warning}\n`);
    writeStdout(
      [
        `qs-jwt quickstart: ${reused ? 're-used the key pair' : 'created a 4096-bit key pair and certificate'} in ${show(outDir)}`,
        `  private key  ${keyPath} (${keyModeShown.label}, never paste it anywhere)`,
        `  certificate  ${certificatePath}`,
        '',
        '1. Client-managed Qlik Sense (QSEoW): QMC > Virtual proxies > Create new',
        `   Prefix: ${EXAMPLE.prefix}   Session cookie header name: X-Qlik-Session-${EXAMPLE.prefix}`,
        '   Authentication method: JWT',
        `   JWT certificate: paste all of ${certificatePath}`,
        '   JWT attribute for user ID: userId        JWT attribute for user directory: userDirectory',
        '   Then link the virtual proxy to a proxy and add your host to the host allow list.',
        `   Example token (${EXAMPLE.userDirectory}\\${EXAMPLE.userId}, 1 hour): ${show(qseowPath)} - ${qseowCheck}`,
        '   Try it:',
        `   curl -sS -H "Authorization: Bearer $(cat ${show(qseowPath)})" -H "X-Qlik-Xrfkey: 0123456789abcdef" \\`,
        `     "https://YOUR-SERVER/${EXAMPLE.prefix}/qrs/about?xrfkey=0123456789abcdef"`,
        '',
        '2. Qlik Cloud: Administration > Identity providers > Create new > JWT',
        `   Issuer: ${EXAMPLE.issuer}`,
        `   Key ID: ${kid}`,
        '   Certificate (one line):',
        `   ${toSingleLinePem(certificatePem)}`,
        `   Example token (${EXAMPLE.email}, 5 minutes, use it once): ${show(cloudPath)} - ${cloudCheck}`,
        '   Try it:',
        `   curl -sS -X POST -c cookies.txt -H "Authorization: Bearer $(cat ${show(cloudPath)})" \\`,
        '     "https://YOUR-TENANT.qlikcloud.com/login/jwt-session"',
        '',
        'Mint your own:',
        `   qs-jwt create qseow --key ${keyPath} --userid USER --userdir DIRECTORY`,
        `   qs-jwt create cloud --key ${keyPath} --sub USER --name NAME --email EMAIL --issuer ${EXAMPLE.issuer} --kid ${kid}`,
        '',
      ].join('\n'),
    );
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
