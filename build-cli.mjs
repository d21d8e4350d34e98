// Bundles the CLI so start-up does not resolve and compile dozens of modules. main.js holds only the
// dispatch and the top-level help; each command is its own standalone bundle (command-<name>.js),
// loaded only when run. Measured on `create qseow`: one bundle per command starts ~10 ms faster than
// esbuild's code splitting, which spread the same code over ~20 shared chunks, and a single bundle for
// everything made --help ~20 ms slower. The bundles are CommonJS (dist/cli-bundle/package.json says
// so): an ESM entry starts Node's ESM loader, which cost ~8 ms of every run, --help included, and
// ~14 ms of create. main compiles a command's bundle itself, with its code cache (see the end of this
// file and build/command-loader.mjs). A command bundle carries its own copy of shared code; each
// process loads one, and commands report their own failures (command-runner.ts) so error classes are
// never compared across copies. Libraries a command rarely needs (certificates, schema validation,
// websockets) stay external and are required on first use; they all have a CommonJS entry. csv-parse is bundled: batch always needs it, in every worker thread,
// and importing it as a package started the ESM loader in each (~15 ms per worker, measured).
// Everything sits flat in one folder, so new URL('./mint-worker.js', import.meta.url) finds the
// batch worker.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { lazyChildProcess } from './build-plugins.mjs';
import {
  commandLoaderBanner,
  commandsThroughLoader,
  refuseDynamicImport,
  WRAP_END,
  WRAP_START,
} from './build/command-loader.mjs';

const outdir = 'dist/cli-bundle';
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
writeFileSync(`${outdir}/package.json`, '{ "type": "commonjs" }\n');

// Parts of qs-jwt ui that load after it has started are bundles of their own, required from
// command-ui.js on first use: the HTTP server and API (after the URL is printed, which then waits for
// neither node:http nor ~100 KB of routes) and the Test view's probe clients and emulator (on the first
// test). Each entry: the import, the file importing it, and the bundle it becomes.
const LATER_BUNDLES = [
  {
    specifier: '../../workbench/workbench-server.js',
    importer: /[\\/]src[\\/]cli[\\/]commands[\\/]ui\.ts$/,
    bundle: 'workbench-server',
    entry: 'src/workbench/workbench-server.ts',
  },
  {
    specifier: './test-api.js',
    importer: /[\\/]src[\\/]workbench[\\/]workbench-server\.ts$/,
    bundle: 'workbench-test',
    entry: 'src/workbench/test-api.ts',
  },
];
const laterBundles = {
  name: 'later-bundles',
  setup(pluginBuild) {
    // Only the listed imports come here, not every import of every bundle.
    const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const filter = new RegExp(`^(${LATER_BUNDLES.map((entry) => escape(entry.specifier)).join('|')})$`);
    pluginBuild.onResolve({ filter }, (args) => {
      const later = LATER_BUNDLES.find((entry) => entry.specifier === args.path && entry.importer.test(args.importer));
      return later ? { path: later.bundle, namespace: 'qs-jwt-later' } : undefined;
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: 'qs-jwt-later' }, (args) => ({
      contents: `module.exports = require('./${args.path}.js');`,
      loader: 'js',
    }));
    // That require() finds the bundle beside the command bundle at run time.
    pluginBuild.onResolve({ filter: /.*/, namespace: 'qs-jwt-later' }, (args) => ({ path: args.path, external: true }));
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outdir,
  // jose is bundled, not external: it is ES-module-only, and a CommonJS bundle's require('jose') fails on
  // Node before 20.19 (engines allows 20.11), which broke qs-jwt bridge there.
  external: ['@peculiar/x509', 'reflect-metadata', 'valibot', 'ws'],
  // CommonJS has no import.meta: give the sources' import.meta.url the bundle's own file URL.
  define: { 'import.meta.url': '__qsJwtModuleUrl' },
  banner: { js: "const __qsJwtModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
};

// The workbench page (qs-jwt ui): one script, one stylesheet and the HTML, in one folder beside the
// command bundles, where command-ui.js finds them. Minified for the browser; nothing is fetched at run time.
const workbenchOut = `${outdir}/workbench`;
mkdirSync(workbenchOut, { recursive: true });
copyFileSync('src/workbench/web/index.html', `${workbenchOut}/index.html`);
const workbench = {
  bundle: true,
  minify: true,
  platform: 'browser',
  target: 'es2022',
  outdir: workbenchOut,
  logLevel: 'warning',
  legalComments: 'none',
};

const commands = readdirSync('src/cli/commands')
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -'.ts'.length));
await Promise.all([
  build({
    ...common,
    entryPoints: { main: 'src/cli/main.ts' },
    banner: { js: `${common.banner.js}\n${commandLoaderBanner('files')}` },
    plugins: [commandsThroughLoader, lazyChildProcess],
  }),
  build({
    ...common,
    // main compiles the command bundles with vm.Script (and their code caches), which cannot import()
    // on Node 20: esbuild turns import() into require(), so every external needs a CommonJS entry
    // (test/cli-bundles.test.ts checks).
    supported: { 'dynamic-import': false },
    entryPoints: {
      ...Object.fromEntries(commands.map((name) => [`command-${name}`, `src/cli/commands/${name}.ts`])),
      'mint-worker': 'src/cli/batch/mint-worker.ts',
      ...Object.fromEntries(LATER_BUNDLES.map((entry) => [entry.bundle, entry.entry])),
    },
    plugins: [lazyChildProcess, laterBundles],
  }),
  build({ ...workbench, entryPoints: { app: 'src/workbench/web/main.ts' }, format: 'esm' }),
  build({ ...workbench, entryPoints: { app: 'src/workbench/web/styles.css' } }),
]);

// V8 code caches for the command bundles, made after training runs by the Node running this build
// (build/train-code-caches.mjs): a command then compiles only what its run needs beyond them
// (create qseow ~7 ms faster). A cache is valid only for the Node that made it; another Node refuses
// it and compiles the bundle as without one. The npm package ships none (package.json files).
const bundles = commands.map((name) => [`command-${name}`, `${outdir}/command-${name}.js`]);
for (const [name, file] of bundles) {
  const refusal = refuseDynamicImport(name, readFileSync(file, 'utf8'));
  if (refusal) throw new Error(refusal);
}
try {
  execFileSync(
    process.execPath,
    ['build/train-code-caches.mjs', 'files', WRAP_START, WRAP_END, JSON.stringify(bundles)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
} catch (error) {
  throw new Error(`training the code caches failed:\n${String(error.stderr ?? error.message)}`, { cause: error });
}
