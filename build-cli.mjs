// Bundles the CLI into a few ESM files so start-up does not resolve and compile dozens of modules.
// Code splitting keeps each command in its own chunk, loaded only when run; libraries a command rarely
// needs (certificate generation, JOSE, schema validation, CSV) stay external and load lazily.
import { build } from 'esbuild';

await build({
  entryPoints: { main: 'src/cli/main.ts', 'mint-worker': 'src/cli/batch/mint-worker.ts' },
  outdir: 'dist/cli-bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['@peculiar/x509', 'reflect-metadata', 'jose', 'valibot', 'csv-parse', 'ws'],
  // Chunks sit beside main.js so new URL('./mint-worker.js', import.meta.url) finds the worker from any chunk.
  chunkNames: '[name]-[hash]',
  // commander is CommonJS and requires Node built-ins; ESM output needs a require to give it.
  banner: { js: "import { createRequire as __qsJwtCreateRequire } from 'node:module'; const require = __qsJwtCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
