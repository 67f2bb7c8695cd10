// Shared pieces of the browser tests: a real Gala server over a fresh SQLite database, and
// Debian's Chromium driven by playwright-core.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const screenshotDir = join(repoRoot, 'end2end', 'screenshots');
/** Files the tests upload (a logo, ...). */
export const fixtureDir = join(repoRoot, 'end2end', 'fixtures');

/** The platform admin every test server has. */
export const ADMIN = { email: 'admin@gala.test', password: 'platform-admin-pass-1' };

/** The viewports every page is checked at: a 390 px phone and a desktop. */
export const viewports = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
};

async function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/**
 * Starts `gala serve` (the binary in `bin`, default GALA_BIN or target/debug/gala, serving the
 * front end in `siteRoot`, default GALA_SITE_ROOT or target/site) on a free port over a new
 * SQLite file, after `gala seed`. Returns { baseUrl, outboxDir, stop }.
 */
export async function startGala({ bin, siteRoot } = {}) {
  bin ??= process.env.GALA_BIN ?? join(repoRoot, 'target', 'debug', 'gala');
  siteRoot ??= process.env.GALA_SITE_ROOT ?? join(repoRoot, 'target', 'site');
  const dataDir = mkdtempSync(join(tmpdir(), 'gala-e2e-'));
  const port = await freePort();
  const env = {
    ...process.env,
    GALA_DATABASE_URL: `sqlite://${join(dataDir, 'gala.db')}?mode=rwc`,
    GALA_ADDR: `127.0.0.1:${port}`,
    GALA_PUBLIC_URL: `http://127.0.0.1:${port}`,
    GALA_SITE_ROOT: siteRoot,
    GALA_LOG: process.env.GALA_LOG ?? 'warn',
    GALA_MAIL_OUTBOX_DIR: join(dataDir, 'outbox'),
    GALA_DEMO_SIGN_INS: join(dataDir, 'demo-sign-ins.txt'),
    GALA_MAIL_RETRY_BASE_MS: '200',
  };
  const seed = spawnSync(bin, ['seed'], { env, stdio: 'inherit' });
  if (seed.status !== 0) throw new Error(`gala seed failed with ${seed.status}`);
  // A platform admin, made the way an operator does (password on stdin).
  const admin = spawnSync(bin, ['admin', 'create', '--email', ADMIN.email, '--name', 'Ada Admin'], {
    env,
    input: `${ADMIN.password}\n`,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  if (admin.status !== 0) throw new Error(`gala admin create failed with ${admin.status}`);
  const child = spawn(bin, ['serve'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gala serve exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${baseUrl}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('gala serve did not become healthy in 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    baseUrl,
    outboxDir: env.GALA_MAIL_OUTBOX_DIR,
    stop: () =>
      new Promise((ok) => {
        child.once('exit', ok);
        child.kill('SIGTERM');
      }),
  };
}

/** Launches Debian's Chromium headless with the flags this offline machine needs. */
export async function launchBrowser() {
  mkdirSync(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Waits until the wasm bundle has taken over the page (the layout marks <html>). */
export async function waitForHydration(page) {
  await page.waitForSelector('html[data-hydrated="true"]', { timeout: 30_000 });
}

/** True when the page is wider than its viewport (horizontal scrolling on a phone). */
export async function hasHorizontalScroll(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}

/**
 * Waits for a mail to `to` in the server's outbox folder (the .eml files the mail sender
 * writes without SMTP) and returns its decoded text.
 */
export async function waitForMail(outboxDir, to, { timeout = 30_000, subject = '' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    let files = [];
    try {
      files = readdirSync(outboxDir).filter((f) => f.endsWith('.eml'));
    } catch {
      // folder not created yet
    }
    for (const file of files) {
      const raw = readFileSync(join(outboxDir, file), 'utf8');
      if (raw.includes(`To: ${to}`) && raw.includes(`Subject: ${subject}`)) return decodeQuotedPrintable(raw);
    }
    if (Date.now() > deadline) throw new Error(`no mail to ${to} in ${outboxDir}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function decodeQuotedPrintable(text) {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * Registers hooks that start one Gala server and one browser for the test file, and returns an
 * object whose `gala` and `browser` are set once the hooks ran.
 */
export function useGalaAndBrowser() {
  const ctx = { gala: null, browser: null };
  before(async () => {
    ctx.gala = await startGala();
    ctx.browser = await launchBrowser();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.gala?.stop();
  });
  return ctx;
}

/** Signs `page` in through the sign-in page and waits for the account page. */
export async function signIn(page, baseUrl, email, password) {
  await page.goto(baseUrl + '/signin');
  await waitForHydration(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/account');
}

/** Creates a verified account through the pages and the mailed link; leaves `page` signed out. */
export async function signUpVerified(page, gala, name, email, password) {
  await page.goto(gala.baseUrl + '/signup');
  await waitForHydration(page);
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  const mail = await waitForMail(gala.outboxDir, email, { subject: 'Verify your email' });
  const link = mail.match(/https?:\/\/\S+\/verify-email\?token=[A-Za-z0-9_-]+/)[0];
  await page.goto(link.replace(/^https?:\/\/[^/]+/, gala.baseUrl));
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Verify my email' }).click();
  await page.getByRole('heading', { name: 'Your email is verified' }).waitFor();
}

/**
 * Makes a verified account through the JSON API and signs `page`'s browser context in with it
 * (the API's session cookie lands in the context). For tests whose subject is not sign-up.
 */
export async function apiSignedIn(page, gala, name, email, password) {
  const api = page.request;
  const signUp = await api.post(gala.baseUrl + '/api/v1/auth/signup', {
    data: { display_name: name, email, password },
  });
  if (!signUp.ok()) throw new Error(`sign-up failed: ${signUp.status()} ${await signUp.text()}`);
  const mail = await waitForMail(gala.outboxDir, email, { subject: 'Verify your email' });
  const token = mail.match(/verify-email\?token=([A-Za-z0-9_-]+)/)[1];
  const verified = await api.post(gala.baseUrl + '/api/v1/auth/verify-email', { data: { token } });
  if (!verified.ok()) throw new Error(`verification failed: ${verified.status()}`);
  const signedIn = await api.post(gala.baseUrl + '/api/v1/auth/signin', { data: { email, password } });
  if (!signedIn.ok()) throw new Error(`sign-in failed: ${signedIn.status()}`);
}

/**
 * An approved brand `slug` through the JSON API: `owner` (a signed-in page) applies, the
 * platform admin approves. Returns nothing; the owner's context is the brand's owner.
 */
export async function apiLiveBrand(owner, browser, gala, slug, displayName) {
  const applied = await owner.request.post(gala.baseUrl + '/api/v1/brands/applications', {
    data: {
      legal_name: `${displayName} Ltd`,
      display_name: displayName,
      slug,
      country: 'CN',
      category: 'fashion',
      contact_email: `team@${slug}.test`,
      description: 'Runway-ready clothing for the festival, designed in Shanghai.',
      licence_number: '91310000-ABC',
    },
  });
  if (applied.status() !== 201) throw new Error(`application failed: ${await applied.text()}`);
  const { id } = await applied.json();
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  const signedIn = await admin.request.post(gala.baseUrl + '/api/v1/auth/signin', { data: ADMIN });
  if (!signedIn.ok()) throw new Error('admin sign-in failed');
  const decided = await admin.request.post(gala.baseUrl + `/api/v1/admin/brands/${id}/decision`, {
    data: { decision: 'approve' },
  });
  if (!decided.ok()) throw new Error(`approval failed: ${await decided.text()}`);
  await adminContext.close();
}

/** A published listing with `stock` units through the owner's API; answers its id. */
export async function listingOnSale(owner, gala, slug, stock, { title, code, price }) {
  const base = gala.baseUrl + `/api/v1/brands/${slug}`;
  const created = await owner.request.post(base + '/listings', {
    data: {
      title,
      category: 'fashion',
      currency: 'CNY',
      variants: [{ code, price_minor: price }],
    },
  });
  assert.equal(created.status(), 201, await created.text());
  const listing = await created.json();
  const locations = await (await owner.request.get(base + '/locations')).json();
  const received = await owner.request.post(base + '/stock/changes', {
    data: { kind: 'receive', sku_code: code, location_id: locations[0].id, quantity: stock, reason: 'delivery' },
  });
  assert.equal(received.status(), 200);
  const published = await owner.request.post(base + `/listings/${listing.id}/status`, { data: { status: 'published' } });
  assert.equal(published.status(), 200);
  return listing.id;
}

/** Fills the checkout form: a receipt email, a Shanghai address and the given card number. */
export async function fillCheckout(page, email, card) {
  await page.getByLabel('Email for your receipt').fill(email);
  await page.getByLabel('Full name').fill('Mei Lin');
  await page.getByLabel('Address', { exact: true }).fill('88 Century Avenue');
  await page.getByLabel('City').fill('Shanghai');
  await page.getByLabel('Postal code').fill('200120');
  await page.getByLabel('Card number').fill(card);
  await page.getByLabel('Expiry (MM/YY)').fill('12/31');
  await page.getByLabel('Security code').fill('123');
}
