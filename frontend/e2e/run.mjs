// End-to-end run in a real browser (playwright-core + Debian's Chromium) against a real backend.
// Each step runs when the server offers the routes it needs (read from /openapi.json) and is
// reported as "skipped: not available yet" otherwise, so the suite grows as the backend lands.
// Prints one summary line; exits non-zero on any failure or console error.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { bundleSize, kb } from './bundle.mjs';
import { startBackend } from './server.mjs';
import { totp } from './totp.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const frontend = resolve(here, '..');
const repoRoot = resolve(frontend, '..');
const outDir = join(frontend, 'test-output');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const USER = 'e2eadmin';
const PASSWORD = 'Correct-Horse-42';

const results = [];

/** Thrown by a step that finds at run time that the backend cannot serve it yet. */
class Skip extends Error {}
const metrics = {};
let page;

function need(routes, available) {
  const missing = routes.filter((r) => !available.has(r));
  return missing.length ? `not available yet: ${missing.join(', ')}` : null;
}

async function step(name, routes, available, fn) {
  const missing = need(routes, available);
  if (missing) {
    results.push({ name, status: 'skipped', detail: missing });
    console.log(`  - ${name}: skipped (${missing})`);
    return;
  }
  const started = Date.now();
  try {
    await fn();
    results.push({ name, status: 'passed' });
    console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    if (error instanceof Skip) {
      results.push({ name, status: 'skipped', detail: error.message });
      console.log(`  - ${name}: skipped (${error.message})`);
      await shot(`SKIPPED-${name.replace(/\W+/g, '-')}`).catch(() => {});
      return;
    }
    results.push({ name, status: 'failed', detail: String(error?.stack ?? error) });
    console.log(`  ✗ ${name}: ${error?.message ?? error}`);
    await shot(`FAILED-${name.replace(/\W+/g, '-')}`).catch(() => {});
  }
}

async function shot(name) {
  await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true, caret: 'initial' });
}

async function main() {
  if (!existsSync(join(frontend, 'dist', 'index.html')))
    throw new Error('frontend/dist is missing: run npm run build first');
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing (apt-get install -y chromium)`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const size = bundleSize(join(frontend, 'dist'));
  metrics.bundle = size;
  const server = await startBackend(repoRoot);
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const consoleErrors = [];
  try {
    const spec = await (await fetch(`${server.base}/openapi.json`)).json();
    const available = new Set();
    for (const [path, ops] of Object.entries(spec.paths))
      for (const m of Object.keys(ops)) available.add(`${m.toUpperCase()} ${path}`);
    // Socket.IO is mounted outside OpenAPI: probe it (400/401/403 = there, 404 = not mounted).
    const probe = await fetch(`${server.base}/socket.io/?EIO=4&transport=polling`).catch(() => null);
    const LIVE = 'live quotes (Socket.IO or GET /web/market/quotes)';
    if ((probe && probe.status !== 404) || available.has('GET /web/market/quotes')) available.add(LIVE);

    const context = await browser.newContext({
      baseURL: server.base,
      viewport: { width: 1440, height: 900 },
    });
    // Report CSP violations with their source, so a blocked inline style or script is traceable.
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        const where = `${e.sourceFile || location.pathname}:${e.lineNumber}:${e.columnNumber}`;
        const target = e.target instanceof Element ? e.target.outerHTML.slice(0, 160) : String(e.target);
        console.error(
          `CSP ${e.effectiveDirective} blocked at ${where} sample=${JSON.stringify(e.sample)} target=${target}`,
        );
      });
    });
    page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();

      // A 404 from a route the server lacks is the "not available yet" state, not a bug.
      if (/Failed to load resource: the server responded with a status of 404/.test(text)) return;
      consoleErrors.push(text);
    });
    page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));

    console.log(`frontend e2e against ${server.base}`);

    await step(
      'setup creates the first admin',
      ['GET /auth/session', 'POST /auth/setup'],
      available,
      async () => {
        await page.goto('/');
        await page.waitForURL('**/setup');
        await page.getByLabel('Username').fill(USER);
        await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await page.getByLabel('Confirm password').fill(PASSWORD);
        await shot('01-setup');
        await page.getByRole('button', { name: 'Create account' }).click();
        await page.waitForURL('**/login');
      },
    );

    await step('login reaches the dashboard', ['POST /auth/login'], available, async () => {
      await page.getByLabel('Username').fill(USER);
      await page.getByLabel('Password').fill(PASSWORD);
      await shot('02-login');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL('**/dashboard');
      await page.getByTestId('current-user').filter({ hasText: USER }).waitFor();
    });

    await step('unknown paths render the 404 page', [], available, async () => {
      await page.goto('/no-such-page');
      await page.getByRole('heading', { name: 'No such page' }).waitFor();
      await shot('00-not-found');
    });

    await step('dashboard first render (fresh load)', [], available, async () => {
      const timings = [];
      for (let i = 0; i < 3; i++) {
        await page.goto('/dashboard', { waitUntil: 'commit' });
        await page.getByTestId('dashboard').waitFor();
        timings.push(
          await page.evaluate(
            () => performance.getEntriesByName('dashboard-rendered')[0]?.startTime ?? Number.NaN,
          ),
        );
      }
      const paint = await page.evaluate(
        () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
      );
      timings.sort((a, b) => a - b);
      metrics.dashboardFirstRenderMs = Math.round(timings[1]);
      metrics.firstContentfulPaintMs = paint === null ? null : Math.round(paint);
      await page.waitForLoadState('networkidle');
      await shot('03-dashboard');
    });

    await step(
      'API key can be generated, shown and copied',
      ['GET /web/apikey', 'POST /web/apikey'],
      available,
      async () => {
        await page.goto('/apikey');
        await page.getByRole('heading', { name: 'API key' }).waitFor();
        await page.getByRole('button', { name: /Generate key|Regenerate key/ }).click();
        await page
          .getByRole('dialog')
          .getByRole('button', { name: /Generate|Regenerate/ })
          .click();
        const key = page.getByTestId('api-key');
        await key.filter({ hasText: /^[0-9a-f]{64}$/ }).waitFor();
        const text = await key.textContent();
        const curl = await page.locator('pre').filter({ hasText: 'curl' }).textContent();
        if (!curl?.includes(text ?? '')) throw new Error('curl snippet does not carry the real key');
        if (!curl.includes(server.base)) throw new Error('curl snippet does not carry the host');
        await shot('04-apikey');
      },
    );

    let totpSecret = null;
    await step(
      'two-factor can be enabled in settings',
      ['POST /auth/totp/setup', 'POST /auth/totp/enable'],
      available,
      async () => {
        await page.goto('/settings');
        await page.getByRole('button', { name: 'Set up two-factor' }).click();
        const secret = (await page.getByTestId('totp-secret').textContent())?.trim();
        if (!secret) throw new Error('no TOTP secret shown');
        await page.getByRole('img', { name: /QR code/ }).waitFor();
        await page.getByLabel('Code from the app').fill(totp(secret));
        await shot('04b-totp-enrol');
        await page.getByRole('button', { name: 'Enable' }).click();
        await page.getByTestId('totp-enabled').waitFor();
        totpSecret = secret;
      },
    );

    await step(
      'analyzer mode can be switched on',
      ['PUT /web/trading/analyzer', 'GET /web/trading/profile'],
      available,
      async () => {
        await page.goto('/analyzer');
        const toggle = page.getByRole('switch', { name: 'Analyzer mode' });
        await toggle.waitFor();
        if ((await toggle.getAttribute('aria-checked')) !== 'true') await toggle.click();
        await page.getByText('ON · orders are simulated').waitFor();
        await page.getByTestId('analyzer-badge').waitFor();
        await page.getByTestId('paper-funds').waitFor();
        await shot('04c-analyzer-on');
      },
    );

    await step('watchlist prices move', [LIVE], available, async () => {
      await page.goto('/watchlist');
      const search = page.getByRole('combobox', { name: 'Add symbol to watchlist' });
      for (const s of ['NSE:SBIN', 'NSE:RELIANCE', 'NSE:INFY']) {
        await search.fill(s);
        await search.press('Enter');
      }
      const ltp = page.getByTestId('watch-NSE:SBIN').getByTestId('ltp');
      const feedError = page.getByTestId('watch-NSE:SBIN').locator('[data-feed-error]');
      try {
        await ltp.filter({ hasText: /\d/ }).waitFor({ timeout: 15_000 });
      } catch (error) {
        if (await feedError.count())
          throw new Skip(`server: ${await feedError.getAttribute('data-feed-error')}`);
        throw error;
      }
      // The simulator drifts slowly after hours (0.05 ticks): wait for any of the three to move.
      const cells = '[data-testid^="watch-"] [data-testid="ltp"]';
      const before = await page.locator(cells).allTextContents();
      await page.waitForFunction(
        ([sel, prev]) => [...document.querySelectorAll(sel)].some((el, i) => el.textContent !== prev[i]),
        [cells, before],
        { timeout: 45_000, polling: 250 },
      );
      await shot('05-watchlist');
    });

    await step(
      'paper order from the ticket shows in the books',
      [
        'POST /web/trading/orders',
        'GET /web/trading/orders',
        'GET /web/trading/trades',
        'GET /web/trading/positions',
      ],
      available,
      async () => {
        await page.goto('/dashboard');
        await page.getByTestId('dashboard').waitFor();
        await page.keyboard.press('b');
        const ticket = page.getByRole('dialog');
        await ticket.getByRole('combobox', { name: 'Symbol' }).fill('NSE:SBIN');
        await ticket.getByRole('combobox', { name: 'Symbol' }).press('Enter');
        await ticket.getByLabel(/Quantity/).fill('10');
        await shot('06-order-ticket');
        await ticket.getByRole('button', { name: /^(Confirm )?Buy$/ }).click();
        await ticket.waitFor({ state: 'detached' });
        await page.goto('/orderbook');
        await page.getByRole('table', { name: 'Orders' }).getByText('SBIN').first().waitFor();
        await shot('07-orderbook');
        await page.goto('/tradebook');
        await page.getByRole('table', { name: 'Trades' }).getByText('SBIN').first().waitFor();
        await shot('08-tradebook');
        await page.goto('/positions');
        await page.getByRole('table', { name: 'Positions' }).getByText('SBIN').first().waitFor();
        await shot('09-positions');
      },
    );

    await step(
      'closing the position books P&L',
      ['POST /web/trading/positions/close', 'GET /web/trading/positions'],
      available,
      async () => {
        await page.goto('/positions');
        await page.getByRole('button', { name: 'Close position SBIN' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Close position' }).click();
        await page.getByText('closed').first().waitFor({ timeout: 15_000 });
        await page.goto('/dashboard');
        await page.getByTestId('day-pnl').filter({ hasText: /₹/ }).waitFor();
        await shot('10-pnl');
      },
    );

    await step('every page renders its state (screenshots)', [], available, async () => {
      const pages = [
        ['11-orders', '/orderbook', 'Order book'],
        ['12-trades', '/tradebook', 'Trade book'],
        ['13-positions', '/positions', 'Positions'],
        ['14-holdings', '/holdings', 'Holdings'],
        ['15-watchlist', '/watchlist', null],
        ['16-analyzer', '/analyzer', 'Analyzer (paper trading)'],
        ['17-apikey', '/apikey', 'API key'],
        ['18-settings', '/settings', 'Settings'],
        ['18b-logs', '/logs', 'Logs'],
        ['18d-admin', '/admin', 'Administration'],
      ];
      for (const [name, path, heading] of pages) {
        await page.goto(path);
        if (heading) await page.getByRole('heading', { name: heading, exact: true }).waitFor();
        await page.waitForLoadState('networkidle');
        await page
          .locator('[role="status"]')
          .first()
          .waitFor({ state: 'detached', timeout: 5000 })
          .catch(() => {});
        await shot(name);
      }
    });

    await step(
      "logs show this session's traffic and latency",
      ['GET /web/logs/traffic', 'GET /web/logs/latency'],
      available,
      async () => {
        await page.goto('/logs');
        const table = page.getByRole('table', { name: 'Traffic log' });
        await table.getByText('/auth/login').first().waitFor({ timeout: 15_000 });
        await shot('18c-logs-traffic');
        await page.getByRole('tab', { name: 'Latency' }).click();
        await page
          .getByRole('table', { name: 'Latency' })
          .or(page.getByText('No broker calls in the last 24 hours'))
          .waitFor();
      },
    );

    await step(
      'admin adds a trader and bans an IP',
      ['POST /web/admin/users', 'POST /web/admin/ip-bans', 'DELETE /web/admin/ip-bans/{ip}'],
      available,
      async () => {
        await page.goto('/admin');
        await page.getByLabel('Username').fill('trader2');
        await page.getByLabel('Password').fill('Another-Horse-77');
        await page.getByRole('button', { name: 'Add user' }).click();
        await page.getByRole('table', { name: 'Users' }).getByText('trader2').waitFor();
        await page.getByLabel('IP address').fill('203.0.113.9');
        await page.getByLabel('Reason').fill('e2e');
        await page.getByRole('button', { name: 'Ban', exact: true }).click();
        const bans = page.getByRole('table', { name: 'IP bans' });
        await bans.getByText('203.0.113.9').waitFor();
        await shot('18e-admin');
        await bans.getByRole('button', { name: 'Unban' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Unban' }).click();
        await page.getByText('No banned addresses').waitFor();
      },
    );

    await step('quote panel opens with depth ladder and chart', [], available, async () => {
      await page.goto('/watchlist');
      const search = page.getByRole('combobox', { name: 'Add symbol to watchlist' });
      if ((await page.getByTestId('watch-NSE:SBIN').count()) === 0) {
        await search.fill('NSE:SBIN');
        await search.press('Enter');
      }
      await page.getByTestId('watch-NSE:SBIN').click();
      await page.getByTestId('live-chart').locator('canvas').first().waitFor();
      if (available.has('GET /web/market/depth')) {
        const ladder = page.getByRole('table', { name: 'Market depth' });
        await ladder.getByRole('row').nth(5).waitFor();
      }
      await shot('15b-watchlist-quote');
    });

    await step('order ticket: B opens, fields follow the price type, Esc closes', [], available, async () => {
      await page.goto('/dashboard');
      await page.getByTestId('dashboard').waitFor();
      await page.keyboard.press('s');
      const ticket = page.getByRole('dialog');
      await ticket.waitFor();
      if ((await ticket.getByLabel('Price', { exact: true }).count()) !== 0)
        throw new Error('price shown for MARKET');
      await ticket.getByRole('button', { name: 'SL', exact: true }).click();
      await ticket.getByLabel('Price', { exact: true }).waitFor();
      await ticket.getByLabel('Trigger price').waitFor();
      await shot('19-ticket-sl');
      await page.keyboard.press('Escape');
      await ticket.waitFor({ state: 'detached' });
    });

    await step('light theme', [], available, async () => {
      await page.goto('/settings');
      await page.getByRole('button', { name: 'light' }).click();
      await page.goto('/dashboard');
      await page.getByTestId('dashboard').waitFor();
      const dark = await page.evaluate(() => document.documentElement.classList.contains('dark'));
      if (dark) throw new Error('theme did not persist');
      if (available.has('GET /web/trading/funds'))
        await page.getByText('Available', { exact: true }).waitFor();
      await shot('20-dashboard-light');
      await page.goto('/settings');
      await page.getByRole('button', { name: 'dark' }).click();
    });

    await step(
      'logout, then sign in again with the TOTP step',
      ['POST /auth/logout'],
      available,
      async () => {
        await page.goto('/logout');
        await page.waitForURL('**/login');
        await page.goto('/dashboard');
        await page.waitForURL('**/login');
        if (!totpSecret) return;
        await page.getByLabel('Username').fill(USER);
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        const code = page.getByLabel('Authentication code');
        await code.waitFor();
        await shot('21-login-totp');
        await code.fill(totp(totpSecret, 1)); // the next step: the enrolment code's step is spent
        await page.getByRole('button', { name: 'Verify' }).click();
        await page.waitForURL('**/dashboard');
      },
    );

    await step('no console errors', [], available, async () => {
      if (consoleErrors.length) throw new Error(consoleErrors.join('\n'));
    });
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
  }
}

const started = Date.now();
let fatal = null;
try {
  await main();
} catch (error) {
  fatal = error;
  console.error(String(error?.stack ?? error));
}
const count = (s) => results.filter((r) => r.status === s).length;
const failed = count('failed') + (fatal ? 1 : 0);
for (const r of results.filter((x) => x.status === 'failed')) console.log(`\nFAILED ${r.name}\n${r.detail}`);
const b = metrics.bundle;
console.log(
  `frontend e2e: ${count('passed')} passed, ${count('skipped')} skipped (backend route not available yet), ${failed} failed` +
    ` in ${((Date.now() - started) / 1000).toFixed(1)} s; dashboard first render ${metrics.dashboardFirstRenderMs ?? '?'} ms` +
    ` (FCP ${metrics.firstContentfulPaintMs ?? '?'} ms); bundle ${b ? `${kb(b.initialGzip)} initial / ${kb(b.totalGzip)} total gzip` : '?'}` +
    `; screenshots in frontend/test-output/`,
);
process.exit(failed ? 1 : 0);
