import type { Command } from 'commander';
import { createPublicKey, type KeyObject } from 'node:crypto';
import type * as ChildProcessModule from 'node:child_process';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QsJwtError } from '../../core/errors.js';
import { loadPrivateKey, loadPublicKey } from '../../core/keys/key-input.js';
import { CliError, EXIT } from '../cli-error.js';
import { newCommand } from '../command-setup.js';
import type { LoadedProfile } from '../config/config-file.js';
import { readInput } from '../io/input-file.js';
import { keyFailure, resolvePassphrase } from '../io/private-key-options.js';
import { addSettings } from '../settings/add-settings.js';
import { resolveCommandSettings } from '../settings/command-settings.js';
import type { ResolvedSettings } from '../settings/resolve-settings.js';
import { SETTINGS } from '../settings/setting-table.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { KeyStore } from '../../workbench/key-store.js';
import { loadAssets, loadSeaAssets, type StaticAsset } from '../../workbench/static-assets.js';
import { stdoutStream, writeStderr, writeStdout } from '../io/standard-streams.js';
import { closeUnserved, listenForWorkbench } from '../../workbench/workbench-listener.js';

/**
 * qs-jwt ui: serves the local web workbench (src/workbench) and prints its URL, with this run's
 * secret, as the first line of stdout. This file turns flags and profile into the server's options:
 * the key files (read here; their contents never reach the browser), the profile's settings as the
 * forms' starting values, and where to listen.
 */

interface UiFlags {
  host: string;
  port: number;
  allowRemote?: boolean;
  open: boolean;
  key?: string[];
  cert?: string;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

/** The certificate beside a key file, as `keys create` names it (<prefix>publickey.cer), if it belongs to the key. */
async function certificateBeside(path: string, publicKey: KeyObject): Promise<string | undefined> {
  const name = basename(path);
  if (!name.endsWith('privatekey.pem')) return undefined;
  const candidate = join(dirname(path), `${name.slice(0, -'privatekey.pem'.length)}publickey.cer`);
  try {
    // The CLI's bounded, synchronous reader: node:fs/promises alone costs ~1.5 ms to load, before the URL.
    const pem = (await readInput(candidate, 'the certificate beside the key')).toString('utf8');
    return loadPublicKey(pem).equals(publicKey) ? pem : undefined;
  } catch {
    return undefined;
  }
}

/**
 * --cert (or certFile) for the first key: a PEM certificate of that very key. Setup shows it as what to
 * paste into Qlik, so another key's certificate is refused rather than shown.
 */
async function givenCertificate(
  path: string,
  settings: ResolvedSettings,
  keyLabel: string,
  publicKey: KeyObject,
): Promise<string> {
  const origin = settings.origin('cert') ?? '--cert';
  const label = `${origin} ${path}`;
  const pem = (await readInput(path, origin)).toString('utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new CliError(`${label} is not a PEM certificate: give the publickey.cer that goes with ${keyLabel}`);
  let certificateKey;
  try {
    certificateKey = loadPublicKey(pem);
  } catch (error) {
    if (error instanceof QsJwtError) throw keyFailure(label, error);
    throw error;
  }
  // KeyObject#equals, not the two keys' PEM: encoding a key costs ~1 ms the first time, before the URL.
  if (!certificateKey.equals(publicKey))
    throw new CliError(
      `${label} is the certificate of another key than ${keyLabel}: give the certificate made with it`,
    );
  return pem;
}

/** The key files (--key, QSJWT_KEY_FILE or the profile's keyFile); --cert (or certFile) goes with the first. */
async function loadKeyFiles(flags: UiFlags, settings: ResolvedSettings): Promise<KeyStore> {
  const keys = new KeyStore();
  const origin = settings.origin('key') ?? '--key';
  const passphrase = await resolvePassphrase(settings);
  for (const [index, path] of (flags.key ?? []).entries()) {
    const label = `${origin} ${path}`;
    const source = await readInput(path, origin);
    let privateKey;
    try {
      privateKey = loadPrivateKey(source, { passphrase });
    } catch (error) {
      if (error instanceof QsJwtError) throw keyFailure(label, error);
      throw error;
    }
    const publicKey = createPublicKey(privateKey);
    const given =
      index === 0 && flags.cert !== undefined
        ? await givenCertificate(flags.cert, settings, label, publicKey)
        : undefined;
    const certificatePem = given ?? (await certificateBeside(path, publicKey));
    keys.add({ name: path, origin: 'file', path, privateKey, publicKey, certificatePem });
  }
  return keys;
}

function pageAssets(): ReadonlyMap<string, StaticAsset> {
  try {
    return loadSeaAssets() ?? loadAssets(fileURLToPath(new URL('./workbench/', import.meta.url)));
  } catch (error) {
    throw new CliError(
      `the workbench page cannot be read (${(error as Error).message}): run npm run build`,
      EXIT.failure,
    );
  }
}

function profileDefaults(loaded: LoadedProfile | undefined): Record<string, string> {
  const profile = loaded?.profile ?? {};
  const entries = Object.entries(profile).filter(
    ([field, value]) => typeof value === 'string' && !['keyFile', 'certFile'].includes(field),
  );
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Resolves on the first Ctrl-C or SIGTERM; a second one, once it resolved, ends the process as usual. */
function untilStopSignal(): { stopped: Promise<void>; requested: () => boolean; dispose: () => void } {
  let requested = false;
  let wake = (): void => undefined;
  const stopped = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const dispose = (): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
  function stop(): void {
    requested = true;
    dispose();
    wake();
  }
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return { stopped, requested: () => requested, dispose };
}

async function openBrowser(url: string): Promise<void> {
  // Loaded only to open a browser: node:child_process cost ~15 ms of every start. require(), not
  // import(): the single-file executable runs this bundle through vm.Script, where Node 20 refuses import().
  const { spawn } = createRequire(import.meta.url)('node:child_process') as typeof ChildProcessModule;
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  const child = spawn(command as string, args as string[], { stdio: 'ignore', detached: true });
  child.on('error', () => writeStderr('qs-jwt ui: note: could not open a browser: open the URL above yourself\n'));
  child.unref();
}

export function buildCommand(): Command {
  const command = newCommand(
    'ui',
    'Serve the local web workbench (Create, Inspect, Keys, Test, Setup) on 127.0.0.1 and print its URL, with a per-run secret, as the first line of stdout. Runs until Ctrl-C.',
    [
      'qs-jwt ui',
      'qs-jwt ui --key privatekey.pem --no-open',
      'qs-jwt ui --key prod-privatekey.pem --key test-privatekey.pem --port 8123',
      "qs-jwt ui --profile cloud    # the profile's keyFile and settings fill the forms",
    ],
  )
    .option('--allow-remote', 'allow a non-loopback --host (anyone who gets the printed URL can use your keys)')
    .option('--no-open', 'do not open a browser (it opens only when stdout is a terminal)');
  addSettings(command, [
    { setting: SETTINGS.port, default: '0' },
    { setting: SETTINGS.host, default: '127.0.0.1', note: 'anything but loopback needs --allow-remote' },
    {
      setting: SETTINGS.key,
      repeatable: true,
      note: 'offered in Create by its file name (repeatable); its contents never reach the browser',
    },
    { setting: SETTINGS.cert, note: 'shown in Setup for the first key (default: publickey.cer beside the key)' },
    SETTINGS.passphraseFile,
    SETTINGS.passphrase,
    SETTINGS.profile,
    SETTINGS.config,
  ]);
  return command.action(async (_flags: UiFlags, self: Command) => {
    const settings = await resolveCommandSettings(self);
    const loaded = settings.profile;
    const flags = self.opts<UiFlags>();
    if (!LOOPBACK.test(flags.host) && !flags.allowRemote) {
      throw new CliError(
        `--host ${flags.host} is not a loopback address: add --allow-remote if other machines should reach the workbench`,
      );
    }
    const keys = await loadKeyFiles(flags, settings);
    let listener;
    try {
      listener = await listenForWorkbench(flags.host, flags.port);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE')
        throw new CliError(
          `${flags.host}:${flags.port} is in use: choose another --port, or --port 0 for a free one`,
          EXIT.failure,
        );
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
        throw new CliError(`--host ${flags.host} is not an address of this machine`);
      if (code === 'EACCES')
        throw new CliError(`port ${flags.port} needs privileges: choose one above 1023, or --port 0`, EXIT.failure);
      throw error;
    }
    // From here a Ctrl-C or SIGTERM stops the run cleanly (exit 0), even before the server is up.
    const signal = untilStopSignal();
    let workbench;
    try {
      if (flags.allowRemote && !LOOPBACK.test(flags.host)) {
        writeStderr(
          `qs-jwt ui: warning: listening on ${flags.host}: anyone who can reach it and learns the URL can sign tokens with your keys; traffic is plain http\n`,
        );
      }
      writeStderr(
        `qs-jwt ui: workbench at ${listener.origin} (${keys.size} key${keys.size === 1 ? '' : 's'} loaded; keys stay in this process); stop with Ctrl-C\n`,
      );
      // Messages first, so whoever reads the URL from stdout has them on stderr already.
      writeStdout(`${listener.url}\n`);
      // The page, the HTTP server and the API (a bundle of their own, see build-cli.mjs) load after the
      // URL is out: ~1 ms for the page's files, ~10 ms for the rest. A page that cannot be read means a
      // broken installation, reported then.
      const assets = pageAssets();
      const { serveWorkbench } = await import('../../workbench/workbench-server.js');
      workbench = await serveWorkbench(listener, { assets, keys, defaults: profileDefaults(loaded) });
    } catch (error) {
      // Nothing may keep the process alive after the error: the socket and any held connection.
      signal.dispose();
      closeUnserved(listener);
      throw error;
    }
    if (flags.open && !signal.requested() && stdoutStream().isTTY === true) await openBrowser(listener.url);
    await signal.stopped;
    await workbench.close();
  });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
