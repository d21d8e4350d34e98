import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { hasChromium, launchChromium } from './support/chromium.js';
import { hasOpenssl, temporaryFolder } from './support/fixtures.js';
import { runCli } from './support/run-cli.js';
import { startWorkbenchProcess, type WorkbenchProcess } from './support/workbench-process.js';

/**
 * `qs-jwt ui` in a real browser (Debian's chromium driven by playwright-core): one browser and one
 * workbench for the file, the flows of the issue in order (each depends on what the earlier ones
 * created), then accessibility, screenshots and the requests the page made.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCREENSHOTS = join(ROOT, 'test-output', 'workbench');
const built = existsSync(join(ROOT, 'dist/cli-bundle/workbench/app.js'));
const skip = !built
  ? 'run npm run build first'
  : !hasChromium()
    ? 'chromium is not installed (.ci/run installs it)'
    : !hasOpenssl()
      ? 'openssl is not installed'
      : false;
const VIEWS = ['Create', 'Inspect', 'Keys', 'Test', 'Setup'] as const;

const folder = temporaryFolder('qs-jwt-ui-browser-');

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Checks an RS256 token with the openssl CLI against the certificate's public key. */
function opensslVerifies(token: string, certificateFile: string): string {
  const [header, payload, signature] = token.split('.');
  const publicKey = join(folder, 'cert-public.pem');
  execFileSync('openssl', ['x509', '-in', certificateFile, '-pubkey', '-noout', '-out', publicKey]);
  writeFileSync(join(folder, 'input'), `${header}.${payload}`);
  writeFileSync(join(folder, 'signature'), Buffer.from(signature ?? '', 'base64url'));
  return execFileSync(
    'openssl',
    ['dgst', '-sha256', '-verify', publicKey, '-signature', join(folder, 'signature'), join(folder, 'input')],
    { encoding: 'utf8' },
  );
}

/** Polls a text box until its value satisfies `accept` (the page updates after the server answers). */
async function valueWhen(box: Locator, accept: (value: string) => boolean, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await box.inputValue();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${value.slice(0, 200)}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

describe('qs-jwt ui in a browser', { skip, timeout: 240_000 }, () => {
  let browser: Browser;
  let ui: WorkbenchProcess;
  let page: Page;
  const requests: string[] = [];
  const keyDir = join(folder, 'keys');
  let expiredToken = '';

  const textbox = (name: string): Locator => page.getByRole('textbox', { name, exact: true });
  const view = (name: (typeof VIEWS)[number]): Promise<void> => page.getByRole('link', { name, exact: true }).click();

  before(async () => {
    const keys = await runCli(['keys', 'create', '--out', keyDir, '--bits', '2048', '--cn', 'browser test'], {
      timeoutMs: 60_000,
    });
    assert.equal(keys.code, 0, keys.stderr);
    const expired = await runCli([
      'create',
      'qseow',
      '--key',
      join(keyDir, 'privatekey.pem'),
      '--userid',
      'anna',
      '--userdir',
      'ACME',
      '--issued-at',
      '2020-01-01T00:00:00Z',
      '--expires',
      '1h',
    ]);
    expiredToken = expired.stdout.trim();
    ui = await startWorkbenchProcess(['--key', join(keyDir, 'privatekey.pem')], folder);
    browser = await launchChromium();
    const context = await browser.newContext({
      acceptDownloads: true,
      colorScheme: 'light',
      viewport: { width: 1280, height: 900 },
    });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(ui.url);
  });

  after(async () => {
    await browser?.close();
    if (ui) assert.equal(await ui.stop(), 0);
  });

  it('opens with the secret gone from the address bar and links to every view', async () => {
    assert.equal(page.url(), `${ui.origin}/`);
    for (const name of VIEWS) assert.equal(await page.getByRole('link', { name, exact: true }).count(), 1, name);
  });

  it('creates a QSEoW token that openssl verifies with the certificate', async () => {
    await view('Create');
    await textbox('User ID').fill('anna');
    await textbox('User directory').fill('ACME');
    await page.getByRole('button', { name: 'Create token', exact: true }).click();
    const token = await valueWhen(
      textbox('Created token'),
      (value) => value.startsWith('eyJ') && payloadOf(value)['userId'] === 'anna',
    );
    assert.deepEqual([payloadOf(token)['userId'], payloadOf(token)['userDirectory']], ['anna', 'ACME']);
    assert.match(opensslVerifies(token, join(keyDir, 'publickey.cer')), /Verified OK/);
    assert.match(
      await textbox('Command line').inputValue(),
      /^qs-jwt create qseow --key \S+privatekey\.pem --userid anna --userdir ACME$/,
    );
    assert.match(
      await textbox('curl command').inputValue(),
      /^curl -H "Authorization: Bearer \$\(qs-jwt create qseow /,
    );
    assert.match(await page.getByRole('list', { name: 'Created token findings' }).innerText(), /QJ021/);
  });

  it('creates a Qlik Cloud token that openssl verifies with the certificate', async () => {
    await page.getByRole('combobox', { name: 'Platform', exact: true }).selectOption('cloud');
    await textbox('Subject').fill('anna-42');
    await textbox('Name').fill('Anna Andersson');
    await textbox('Email').fill('anna@acme.example');
    await textbox('Issuer').fill('https://idp.acme.example');
    await textbox('Key ID').fill('browser-kid');
    await page.getByRole('button', { name: 'Create token', exact: true }).click();
    const token = await valueWhen(
      textbox('Created token'),
      (value) => value.startsWith('eyJ') && payloadOf(value)['sub'] === 'anna-42',
    );
    const payload = payloadOf(token);
    assert.equal(payload['aud'], 'qlik.api/login/jwt-session');
    assert.equal(payload['email_verified'], true);
    assert.equal(payload['iss'], 'https://idp.acme.example');
    assert.match(opensslVerifies(token, join(keyDir, 'publickey.cer')), /Verified OK/);
  });

  it('inspects an expired token: the payload as text and QJ030 among the findings', async () => {
    await view('Inspect');
    await textbox('Token').fill(expiredToken);
    const findings = page.getByRole('list', { name: 'Findings', exact: true });
    await findings.getByText('QJ030').waitFor();
    assert.match(await page.getByRole('region', { name: 'Payload', exact: true }).innerText(), /"userId": "anna"/);
    assert.match(await findings.innerText(), /error\s+QJ030 token expired/i);
    // The README's picture (docs/workbench.png is a copy, checked for size by workbench-server.test.ts).
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({
      path: join(SCREENSHOTS, 'readme-inspect.png'),
      clip: { x: 0, y: 0, width: 1280, height: 720 },
    });
  });

  it('shows a payload carrying markup as text and runs none of it', async () => {
    const markup = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const minted = await runCli([
      'create',
      'qseow',
      '--key',
      join(keyDir, 'privatekey.pem'),
      '--userid',
      'anna',
      '--userdir',
      'ACME',
      '--name',
      markup,
      '--claim',
      `note=${markup}`,
    ]);
    assert.equal(minted.code, 0, minted.stderr);
    await textbox('Token').fill(minted.stdout.trim());
    const payload = page.getByRole('region', { name: 'Payload', exact: true });
    await payload.getByText('onerror', { exact: false }).first().waitFor();
    assert.ok((await payload.innerText()).includes(JSON.stringify(markup).slice(1, -1)));
    assert.equal(await page.evaluate('window.__pwned'), undefined);
    assert.equal(await page.locator('main img, main script').count(), 0);
  });

  it('creates a key pair and downloads its certificate', async () => {
    await view('Keys');
    await page.getByRole('textbox', { name: 'Common name (CN)', exact: true }).fill('workbench key');
    await page.getByRole('button', { name: 'Create key pair', exact: true }).click();
    const link = page.getByRole('link', { name: 'Download certificate (publickey.cer)' });
    await link.waitFor({ timeout: 60_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), 'publickey.cer');
    const file = join(folder, 'downloaded.cer');
    await download.saveAs(file);
    const subject = execFileSync('openssl', ['x509', '-in', file, '-noout', '-subject'], { encoding: 'utf8' });
    assert.match(subject, /CN ?= ?workbench key/);
    assert.match(
      await page.getByRole('textbox', { name: 'Single-line certificate for Qlik Cloud' }).inputValue(),
      /^-----BEGIN CERTIFICATE-----\S+-----END CERTIFICATE-----$/,
    );
  });

  it('tests against the emulator: success with the created token, then a refusal with its explanation', async () => {
    await view('Test');
    // The Cloud token created above; the emulator takes Create's issuer and key ID and the file key.
    await page.getByRole('combobox', { name: 'Key the emulator verifies with' }).selectOption({ index: 0 });
    assert.match(await textbox('Token to send').inputValue(), /^eyJ/);
    await page.getByRole('button', { name: 'Send token', exact: true }).click();
    const status = page.getByRole('status').filter({ hasText: /Accepted by|Refused/ });
    await status.first().waitFor({ timeout: 30_000 });
    assert.match(
      await status.first().innerText(),
      /^Accepted by http:\/\/127\.0\.0\.1:\d+\//,
      await page
        .getByRole('list', { name: 'Steps' })
        .innerText()
        .catch(() => ''),
    );
    assert.match(await page.getByRole('list', { name: 'Steps' }).innerText(), /login/);

    await page.getByRole('combobox', { name: 'Platform', exact: true }).selectOption('qseow');
    await textbox('Token to send').fill(expiredToken);
    await page.getByRole('button', { name: 'Send token', exact: true }).click();
    const explanation = page.getByRole('region', { name: 'Explanation' });
    await explanation.waitFor({ timeout: 30_000 });
    assert.match(await explanation.innerText(), /QJ030 token expired.*fix:/s);
    assert.match(await explanation.innerText(), /Server said 401/);
  });

  it('shows the Setup values for the key: QMC fields and the Qlik Cloud key ID', async () => {
    await view('Setup');
    const qmc = page.getByRole('region', { name: /QMC/ });
    await qmc.getByText('JWT attribute for user ID').waitFor();
    assert.match(
      await qmc.getByRole('textbox', { name: 'JWT certificate' }).inputValue(),
      /^-----BEGIN CERTIFICATE-----\n/,
    );
    assert.match(await page.getByRole('region', { name: /Qlik Cloud/ }).innerText(), /Key ID\s+\S{43}/);
  });

  it('has no serious or critical axe violations in any view, light and dark, and fits 360 px; writes screenshots', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    // Evaluated through the debugging protocol, which the page's CSP does not govern.
    await page.evaluate(axeSource);
    const problems: string[] = [];
    for (const name of VIEWS) {
      await view(name);
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        // A string, evaluated in the page: this file is type-checked without the DOM library.
        const violations =
          (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations
          .filter((item) => item.impact === 'serious' || item.impact === 'critical')
          .map((item) => item.id + ': ' + item.nodes.slice(0, 3).map((node) => node.target.join(' ')).join(', ')))`)) as string[];
        problems.push(...violations.map((line) => `${name} (${colorScheme}) ${line}`));
        await page.screenshot({ path: join(SCREENSHOTS, `${name.toLowerCase()}-${colorScheme}.png`), fullPage: true });
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    assert.deepEqual(problems, []);
    await page.setViewportSize({ width: 360, height: 800 });
    for (const name of VIEWS) {
      await view(name);
      const overflow = (await page.evaluate('document.documentElement.scrollWidth')) as number;
      assert.ok(overflow <= 360, `${name} is ${overflow} px wide at 360 px`);
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'setup-360.png'), fullPage: true });
  });

  it('can be used with the keyboard alone', async () => {
    await page.goto(`${ui.origin}/#create`);
    await page.reload();
    await page.getByRole('link', { name: 'Create', exact: true }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Create');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    assert.equal(new URL(page.url()).hash, '#inspect');
    // The view renders after the hash changes: wait for it (a timeout fails the test) rather than
    // sample visibility at once, which failed once under a loaded machine.
    await textbox('Token').waitFor({ state: 'visible', timeout: 5000 });
    assert.ok(await textbox('Token').isVisible());
  });

  it('requested nothing outside its own origin', () => {
    assert.ok(requests.length > 5);
    const foreign = requests.filter(
      (url) => !url.startsWith(`${ui.origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:'),
    );
    assert.deepEqual(foreign, []);
  });
});
