// Run by build-cli.mjs (the npm package's bundles) and build-binaries.mjs (with the very Node that
// becomes the binary): a V8 code cache is valid only for the V8 build and flags that made it.
//   node build/train-code-caches.mjs <files|sea> <wrapper start> <wrapper end> '<JSON [[asset name, file], …]>'
// (the loader kind of build/command-loader.mjs the bundles are for)
// Compiles each command bundle as main does (build/command-loader.mjs: same wrapper, same source), runs the
// command on a few command lines, then writes <file>.cache. A cache made right after compiling holds
// only the top-level code, and each run then compiles every function it calls; made after these runs it
// also holds the functions they compiled (create qseow in the binary: ~7 ms faster, measured).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Script } from 'node:vm';

const [kind, wrapStart, wrapEnd, bundleList] = process.argv.slice(2);
// The training runs take no settings from whoever builds: no QSJWT_* variables (and no config file,
// as they run in a fresh temporary folder).
for (const name of Object.keys(process.env)) if (name.startsWith('QSJWT_')) delete process.env[name];
// Absolute, as the runs below happen in a temporary folder.
const bundles = JSON.stringify(JSON.parse(bundleList).map(([name, file]) => [name, resolve(file)]));
const folder = mkdtempSync(join(tmpdir(), 'qs-jwt-train-'));
const key = join(folder, 'privatekey.pem');
writeFileSync(
  key,
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
);

// Every command is trained on --help (building its commander definition and the settings table);
// the commands users time, and run most, also on a real command line.
const TRAINING = {
  'command-create-qseow': [['--key', key, '--userid', 'anna', '--userdir', 'ACME']],
  'command-create-cloud': [
    [
      '--key',
      key,
      '--sub',
      'anna',
      '--name',
      'Anna',
      '--email',
      'anna@example.com',
      '--issuer',
      'https://idp.example.com',
      '--kid',
      'key-1',
    ],
  ],
  'command-keys-show': [[key]],
  // Runs until signalled; its start to the URL is a benchmark figure (#10).
  'command-ui': [['--no-open', '--port', '0', '--key', key]],
};

/**
 * Commands that serve until SIGTERM: a training run ends when it has started and waits for that signal.
 * Not for a binary's bundles: ui serves its page from the binary's SEA assets, which a training run
 * outside the binary does not have.
 */
const SERVERS = new Set(['command-ui']);

/** Sends SIGTERM once the run listens for it (beyond the `before` listeners other bundles left). */
async function stopWhenServing(run, before) {
  while (process.listenerCount('SIGTERM') <= before) {
    const ended = await Promise.race([run.then(() => true), new Promise((wake) => setTimeout(wake, 10, false))]);
    if (ended) return;
  }
  process.emit('SIGTERM');
}

async function train(name, file) {
  const script = new Script(wrapStart + readFileSync(file, 'utf8') + wrapEnd, { filename: file });
  const module = { exports: {} };
  // Each bundle with its own require(), as main gives it: its externals resolve from its folder.
  script.runInThisContext()(
    module.exports,
    createRequire(resolve(file)),
    module,
    resolve(file),
    dirname(resolve(file)),
  );
  const runs = kind === 'sea' && SERVERS.has(name) ? [] : (TRAINING[name] ?? []);
  for (const args of [['--help'], ...runs]) {
    const before = process.listenerCount('SIGTERM');
    const run = module.exports.run(args, false);
    if (SERVERS.has(name) && args[0] !== '--help') await stopWhenServing(run, before);
    const code = await run;
    if (code !== 0) throw new Error(`training run "${name} ${args.join(' ')}" exited ${code}`);
  }
  writeFileSync(file.replace(/\.js$/, '.cache'), script.createCachedData());
}

async function main() {
  // The runs' output (help, tokens) goes to stdout, which the builds discard; their messages go to
  // stderr, which the builds show only when a run fails.
  process.chdir(folder);
  try {
    for (const [name, file] of JSON.parse(bundles)) await train(name, file);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

await main();
