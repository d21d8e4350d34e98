// npm run release:check — what a release would publish, checked: runs the whole test suite, builds the
// binaries (Linux x64 and Windows x64; see build-binaries.mjs for macOS), smoke-tests the Windows one
// under wine when wine is installed, packs the npm tarball, and prints every artefact with its size
// and SHA-256. `--skip-tests` leaves out the test suite (it then builds the package first).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const skipTests = process.argv.includes('--skip-tests');
const manifest = JSON.parse(readFileSync('package.json', 'utf8'));

function step(title, command, args) {
  console.error(`\nrelease:check: ${title}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`release:check: FAILED at "${title}" (${[command, ...args].join(' ')})`);
    process.exit(1);
  }
}

function hasWine() {
  try {
    execFileSync('wine', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

step(skipTests ? 'build' : 'tests (npm test)', 'npm', skipTests ? ['run', 'build'] : ['test']);
step('binaries', process.execPath, ['build-binaries.mjs', 'linux', 'windows']);
if (hasWine()) step('Windows binary under wine', process.execPath, ['check-windows-binary.mjs']);
else
  console.error(
    '\nrelease:check: wine is not installed: the Windows binary was built but not run (apt-get install -y wine64)',
  );
const out = 'dist-release';
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
step('npm package', 'npm', ['pack', '--ignore-scripts', '--pack-destination', out]);

const artefacts = [
  ...readdirSync('dist-bin')
    .filter((name) => name.startsWith('qs-jwt-') || name === 'SHA256SUMS')
    .map((name) => join('dist-bin', name)),
  ...readdirSync(out).map((name) => join(out, name)),
];
const megabytes = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
console.log(`\nqs-jwt ${manifest.version} would publish:`);
for (const file of artefacts.sort()) {
  const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
  console.log(`  ${file.padEnd(36)} ${megabytes(statSync(file).size).padStart(9)}  sha256 ${digest}`);
}
const [packed] = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' }),
);
console.log(
  `  npm: ${packed.name}@${packed.version}, ${packed.entryCount} files, ${megabytes(packed.unpackedSize)} unpacked, ${packed.integrity}`,
);
console.log(
  '  GitHub release: the binaries and dist-bin/SHA256SUMS (add the macOS binary built on a Mac: see docs/binaries.md)',
);
