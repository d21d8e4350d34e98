/**
 * The npm package as a user gets it: `npm pack` contents, publint and @arethetypeswrong/cli on the
 * tarball, a global install into a temporary prefix, npx from the tarball, and the library imported
 * by name from ESM and CommonJS, with types, under moduleResolution node16 and bundler. Installs take
 * the dependencies from a registry on 127.0.0.1 fed by npm's cache (npm ci filled it): no network.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { temporaryFolder } from './support/fixtures.js';
import { startLocalRegistry } from './support/local-registry.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'node_modules', '.bin');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  engines: { node: string };
};
const folder = temporaryFolder('qs-jwt-package-');
const tarball = join(folder, `${manifest.name}-${manifest.version}.tgz`);
const NPM_ENV: Record<string, string | undefined> = {
  ...process.env,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  // A cache of its own: the local registry's documents never mix with the user's cache.
  npm_config_cache: join(folder, 'npm-cache'),
};
let closeRegistry = async (): Promise<void> => {};

before(async () => {
  const registry = await startLocalRegistry(join(ROOT, 'package-lock.json'));
  NPM_ENV['npm_config_registry'] = registry.url;
  closeRegistry = registry.close;
});
after(() => closeRegistry());

/** Runs a command without blocking this process's event loop, which serves the local registry. */
function run(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: NPM_ENV, ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function packed(): Promise<string> {
  if (existsSync(tarball)) return tarball;
  assert.ok(existsSync(join(ROOT, 'dist', 'cjs', 'index.js')), 'build first: npm run build');
  // The build already ran (npm test builds before testing): pack what it made, without building again.
  const result = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', folder], { cwd: ROOT });
  assert.equal(result.code, 0, result.stderr);
  return tarball;
}

test('npm pack holds the CLI, both library builds with their types, README and CHANGELOG, and nothing else', async () => {
  const files = execFileSync('tar', ['-tzf', await packed()], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((path) => path.replace(/^package\//, ''));
  const allowed = [
    /^package\.json$/,
    /^README\.md$/,
    /^CHANGELOG\.md$/,
    /^bin\/(qs-jwt\.js|package\.json)$/,
    /^dist\/index\.(js|d\.ts)$/,
    /^dist\/core\/[\w/-]+\.(js|d\.ts)$/,
    /^dist\/cjs\/(index\.js|package\.json|[\w/-]+\.d\.ts)$/,
    /^dist\/cli-bundle\/[\w-]+\.js(on)?$/,
    /^dist\/cli-bundle\/workbench\/(index\.html|app\.js|app\.css)$/,
  ];
  for (const file of files)
    assert.ok(
      allowed.some((pattern) => pattern.test(file)),
      `unexpected file in the package: ${file}`,
    );
  for (const needed of [
    'bin/qs-jwt.js',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/cjs/index.js',
    'dist/cjs/index.d.ts',
    'dist/cli-bundle/main.js',
    'dist/cli-bundle/mint-worker.js',
    'dist/cli-bundle/command-completion.js',
    'dist/cli-bundle/workbench/index.html',
    'CHANGELOG.md',
  ]) {
    assert.ok(files.includes(needed), `missing from the package: ${needed}`);
  }
  assert.ok(!files.some((file) => file.endsWith('.map')), 'no source maps (the sources are not shipped)');
});

test('publint and @arethetypeswrong/cli find no problem in the tarball', async () => {
  const publint = await run(join(BIN, 'publint'), ['--strict', await packed()]);
  assert.equal(publint.code, 0, publint.stdout + publint.stderr);
  assert.match(publint.stdout, /All good/);
  const attw = await run(join(BIN, 'attw'), [await packed(), '--format', 'json']);
  assert.equal(attw.code, 0, attw.stdout + attw.stderr);
  const report = JSON.parse(attw.stdout) as { analysis: { problems: unknown[] } };
  assert.deepEqual(report.analysis.problems, []);
});

test('a global install into a temporary prefix puts a working qs-jwt on PATH', async () => {
  const prefix = join(folder, 'global');
  const install = await run('npm', ['install', '--global', '--prefix', prefix, await packed()]);
  assert.equal(install.code, 0, install.stderr);
  const env = { ...NPM_ENV, PATH: `${join(prefix, 'bin')}:${process.env['PATH'] ?? ''}` };
  const version = await run('qs-jwt', ['--version'], { env });
  assert.equal(version.stdout, `${manifest.version}\n`, version.stderr);
  const keys = await run('qs-jwt', ['keys', 'create', '--out', join(folder, 'keys'), '--bits', '2048'], { env });
  assert.equal(keys.code, 0, keys.stderr);
  const token = await run(
    'qs-jwt',
    ['create', 'qseow', '--key', join(folder, 'keys', 'privatekey.pem'), '--userid', 'anna', '--userdir', 'ACME'],
    { env },
  );
  assert.equal(token.code, 0, token.stderr);
  const verified = await run(
    'qs-jwt',
    ['verify', token.stdout.trim(), '--cert', join(folder, 'keys', 'publickey.cer')],
    { env },
  );
  assert.match(verified.stdout, /^ACCEPTED/, verified.stderr);
});

test('npx runs qs-jwt from the tarball', async () => {
  const result = await run('npm', ['exec', '--yes', '--package', await packed(), '--', 'qs-jwt', '--version'], {
    cwd: folder,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim(), manifest.version);
});

test('the library imports by name with types (node16 and bundler) and require() works without require(esm)', async () => {
  const project = join(folder, 'consumer');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const install = await run('npm', ['install', await packed()], { cwd: project });
  assert.equal(install.code, 0, install.stderr);
  const use = (
    call: string,
  ) => `${call}\nconst minted: string = createQseowToken({ privateKey: key, userId: 'anna', userDirectory: 'ACME' }).token;
const result = verifyToken(minted, { keys: loadPublicKey(publicPem), platform: 'qseow' });
const accepted: boolean = result.accepted;
console.log(accepted, minted.split('.').length, Object.keys(RULES).length > 0);
`;
  const keyText = `const { privateKey, publicKey } = await generateKeyPair({ bits: 2048 });
const key = loadPrivateKey(encodePrivateKeyPem(privateKey));
const publicPem = encodePublicKeyPem(publicKey);`;
  const names =
    'createQseowToken, encodePrivateKeyPem, encodePublicKeyPem, generateKeyPair, loadPrivateKey, loadPublicKey, RULES, verifyToken';
  writeFileSync(join(project, 'esm.mts'), use(`import { ${names} } from 'qs-jwt';\n${keyText}`));
  writeFileSync(
    join(project, 'cjs.cts'),
    use(`import { ${names} } from 'qs-jwt';\nasync function main(): Promise<void> {\n${keyText}`).replace(
      /\n$/,
      '\n}\nvoid main();\n',
    ),
  );
  writeFileSync(join(project, 'bundler.ts'), use(`import { ${names} } from 'qs-jwt';\n${keyText}`));
  // A Node consumer's usual settings: Node's types (the repository's @types/node), libraries' own
  // declarations not checked (one of @peculiar/x509's dependencies has errors under node16 CommonJS).
  const options = {
    strict: true,
    target: 'ES2022',
    skipLibCheck: true,
    lib: ['ES2023'],
    outDir: 'out',
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules', '@types')],
  };
  writeFileSync(
    join(project, 'tsconfig.node16.json'),
    JSON.stringify({
      compilerOptions: { ...options, module: 'node16', moduleResolution: 'node16' },
      files: ['esm.mts', 'cjs.cts'],
    }),
  );
  writeFileSync(
    join(project, 'tsconfig.bundler.json'),
    JSON.stringify({
      compilerOptions: { ...options, module: 'esnext', moduleResolution: 'bundler', noEmit: true },
      files: ['bundler.ts'],
    }),
  );
  for (const config of ['tsconfig.node16.json', 'tsconfig.bundler.json']) {
    const compiled = await run(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config],
      { cwd: project },
    );
    assert.equal(compiled.code, 0, `${config}: ${compiled.stdout}${compiled.stderr}`);
  }
  const esm = await run(process.execPath, ['out/esm.mjs'], { cwd: project });
  assert.equal(esm.stdout, 'true 3 true\n', esm.stderr);
  // Node before 20.19 (engines allows 20.11) cannot require() an ES module: turn that off to be sure
  // CommonJS consumers get the CommonJS build.
  const cjs = await run(process.execPath, ['--no-experimental-require-module', 'out/cjs.cjs'], { cwd: project });
  assert.equal(cjs.stdout, 'true 3 true\n', cjs.stderr);
  const plain = await run(
    process.execPath,
    [
      '--no-experimental-require-module',
      '-e',
      "const q = require('qs-jwt'); console.log(typeof q.createCloudToken, typeof q.QsJwtError)",
    ],
    { cwd: project },
  );
  assert.equal(plain.stdout, 'function function\n', plain.stderr);
});
