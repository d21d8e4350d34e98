// Bundles the CLI so start-up does not resolve and compile dozens of modules. main.js holds only the
// dispatch and the top-level help; each command is its own standalone bundle (command-<name>.js),
// loaded only when run. Measured on `create qseow`: one bundle per command starts ~10 ms faster than
// esbuild's code splitting, which spread the same code over ~20 shared chunks, and a single bundle for
// everything made --help ~20 ms slower. A command bundle carries its own copy of shared code; each
// process loads one, and commands report their own failures (command-runner.ts) so error classes are
// never compared across copies. Libraries a command rarely needs (certificates, JOSE, schema
// validation, CSV, websockets) stay external and load on demand. Everything sits flat in one folder,
// so new URL('./mint-worker.js', import.meta.url) finds the batch worker.
import { readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = 'dist/cli-bundle';
rmSync(outdir, { recursive: true, force: true });

// commander requires node:child_process at load time, only to run executable subcommands, which qs-jwt
// does not have; loading it (with net, dgram and friends) cost ~5 ms of every start. Commander gets a
// stand-in that loads the real module on first use instead.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^(node:)?child_process$/ }, (args) => (
      /[\\/]commander[\\/]/.test(args.importer) ? { path: 'lazy-child-process', namespace: 'qs-jwt' } : undefined
    ));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'qs-jwt' }, () => ({
      contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
      loader: 'js',
    }));
  },
};

// In main, the registry's import('./commands/<name>.js') becomes the bundle ./command-<name>.js.
const commandsAsBundles = {
  name: 'commands-as-bundles',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\/commands\/[\w-]+\.js$/ }, (args) => ({ path: `./command-${args.path.slice('./commands/'.length)}`, external: true }));
  },
};

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  external: ['@peculiar/x509', 'reflect-metadata', 'jose', 'valibot', 'csv-parse', 'ws'],
  // commander is CommonJS and requires Node built-ins; ESM output needs a require to give it.
  banner: { js: "import { createRequire as __qsJwtCreateRequire } from 'node:module'; const require = __qsJwtCreateRequire(import.meta.url);" },
  logLevel: 'warning',
};

const commands = readdirSync('src/cli/commands').filter((file) => file.endsWith('.ts')).map((file) => file.slice(0, -'.ts'.length));
await Promise.all([
  build({ ...common, entryPoints: { main: 'src/cli/main.ts' }, plugins: [commandsAsBundles, lazyChildProcess] }),
  build({
    ...common,
    entryPoints: {
      ...Object.fromEntries(commands.map((name) => [`command-${name}`, `src/cli/commands/${name}.ts`])),
      'mint-worker': 'src/cli/batch/mint-worker.ts',
    },
    plugins: [lazyChildProcess],
  }),
]);
