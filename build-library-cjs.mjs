// A CommonJS build of the library for require('qs-jwt'). Node 20 before 20.19 (and 22 before 22.12)
// cannot require() an ES module, and engines says >=20.11, so the ESM build alone leaves CommonJS
// consumers with ERR_PACKAGE_PATH_NOT_EXPORTED or ERR_REQUIRE_ESM. The library's dependencies are all
// loaded with import(), which CommonJS may call, so they stay external and are shared with the ESM build.
// Its types are the ESM declarations copied under dist/cjs, whose package.json says commonjs: TypeScript
// then reads them as CommonJS declarations, as it must for a require() consumer (a .d.ts re-exporting the
// ESM ones would type a CommonJS import of an ES module).
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = 'dist/cjs';
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
writeFileSync(`${outdir}/package.json`, '{ "type": "commonjs" }\n');

await build({
  entryPoints: { index: 'src/index.ts' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outdir,
  packages: 'external',
  logLevel: 'warning',
});

cpSync('dist/index.d.ts', `${outdir}/index.d.ts`);
cpSync('dist/core', `${outdir}/core`, { recursive: true, filter: (path) => !path.endsWith('.js') });
