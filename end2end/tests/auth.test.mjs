// Identity in the browser on a 390 px phone: sign up, verify from the mailed link, sign in,
// sign out — and field-level errors on bad input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import {
  hasHorizontalScroll,
  screenshotDir,
  useGalaAndBrowser,
  viewports,
  waitForHydration,
  waitForMail,
} from './support.mjs';

const ctx = useGalaAndBrowser();

test('sign up, verify from the mail, sign in and sign out on a phone', async () => {
  const page = await ctx.browser.newPage({ viewport: viewports.phone });
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  const email = `mia.${Date.now()}@gala.test`;

  await page.goto(ctx.gala.baseUrl + '/signup');
  await waitForHydration(page);
  await page.getByLabel('Your name').fill('Mia Wong');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('runway-drop-2027');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  assert.equal(await hasHorizontalScroll(page), false);
  await page.screenshot({ path: join(screenshotDir, 'signup-done-phone.png'), fullPage: true });

  const mail = await waitForMail(ctx.gala.outboxDir, email);
  const link = mail.match(/https?:\/\/\S+\/verify-email\?token=[A-Za-z0-9_-]+/)[0];
  await page.goto(link.replace(/^https?:\/\/[^/]+/, ctx.gala.baseUrl));
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Verify my email' }).click();
  await page.getByRole('heading', { name: 'Your email is verified' }).waitFor();

  await page.goto(ctx.gala.baseUrl + '/signin');
  await waitForHydration(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('runway-drop-2027');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/account');
  await page.getByRole('heading', { name: 'Your account' }).waitFor();
  await page.getByText('Verified', { exact: true }).waitFor();
  await page.getByRole('link', { name: 'Mia Wong' }).waitFor();
  assert.equal(await hasHorizontalScroll(page), false);
  await page.screenshot({ path: join(screenshotDir, 'account-phone.png'), fullPage: true });

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL(ctx.gala.baseUrl + '/');
  // The header says so at once; the home page follows when its code has arrived.
  await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).waitFor();
  // The session is gone on the server too: the account page asks to sign in.
  await page.goto(ctx.gala.baseUrl + '/account');
  await page.getByText('Sign in to see your account.').waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('bad sign-up input shows field-level errors', async () => {
  const page = await ctx.browser.newPage({ viewport: viewports.phone });
  await page.goto(ctx.gala.baseUrl + '/signup');
  await waitForHydration(page);
  await page.getByLabel('Your name').fill('Lee');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Password').fill('password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('Enter a valid email address, like name@example.com.').waitFor();
  await page.getByText('This password is too common.', { exact: false }).waitFor();
  assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
  assert.equal(await hasHorizontalScroll(page), false);
  await page.screenshot({ path: join(screenshotDir, 'signup-errors-phone.png'), fullPage: true });

  await page.goto(ctx.gala.baseUrl + '/signin');
  await waitForHydration(page);
  await page.getByLabel('Email').fill('nobody@gala.test');
  await page.getByLabel('Password').fill('wrong-password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Email or password is incorrect.').waitFor();
  await page.screenshot({ path: join(screenshotDir, 'signin-error-phone.png'), fullPage: true });
  await page.close();
});

test('after sign-in, next= only ever leads to a page on Gala, with and without JavaScript', async () => {
  const base = ctx.gala.baseUrl;
  const email = `nadia.${Date.now()}@gala.test`;
  const password = 'runway-drop-2027';
  // The account, made through the API in a context of its own (left signed out).
  const setup = await ctx.browser.newContext();
  const signUp = await setup.request.post(base + '/api/v1/auth/signup', { data: { display_name: 'Nadia', email, password } });
  assert.equal(signUp.status(), 202);
  const mail = await waitForMail(ctx.gala.outboxDir, email, { subject: 'Verify your email' });
  const token = mail.match(/verify-email\?token=([A-Za-z0-9_-]+)/)[1];
  assert.ok((await setup.request.post(base + '/api/v1/auth/verify-email', { data: { token } })).ok());
  await setup.close();

  // Payloads that pass a "starts with / and not //" check, and a few more.
  const payloads = ['/%5Cevil.example', '/%09/evil.example', '//evil.example', '/%2F%2Fevil.example',
    'https://evil.example/', '/.//evil.example', 'javascript:alert(1)', '%2F%5Cevil.example'];
  for (const javaScriptEnabled of [true, false]) {
    for (const [next, landing] of [...payloads.map((p) => [p, '/account']), ['/orders', '/orders']]) {
      const context = await ctx.browser.newContext({ viewport: viewports.phone, javaScriptEnabled });
      const page = await context.newPage();
      const offsite = [];
      page.on('request', (request) => {
        if (!request.url().startsWith(base)) offsite.push(request.url());
      });
      await page.goto(`${base}/signin?next=${next}`);
      if (javaScriptEnabled) await waitForHydration(page);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname !== '/signin' || url.origin !== base);
      await page.waitForLoadState('load');
      const at = new URL(page.url());
      const label = `next=${next} (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`;
      assert.equal(at.origin, base, label);
      assert.equal(at.pathname, landing, label);
      assert.deepEqual(offsite, [], label);
      await context.close();
    }
  }
});
