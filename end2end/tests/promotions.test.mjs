// Promotions in the browser, on a 390 px phone: a brand drafts "40 off every 300" and a
// coupon and submits them; a platform admin approves both from the review queue; a shopper
// claims the coupon on the listing page, sees it in the wallet, wins a red envelope on the
// festival page, and checks out with the breakdown shown — each discount, who funds it — on
// the checkout and the confirmation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import {
  ADMIN,
  apiLiveBrand,
  apiSignedIn,
  fillCheckout,
  hasHorizontalScroll,
  listingOnSale,
  screenshotDir,
  useGalaAndBrowser,
  viewports,
  waitForHydration,
} from './support.mjs';

const ctx = useGalaAndBrowser();

/** Fills the new-promotion form's common fields and saves the draft. */
async function draft(page, { kind, name, amount, threshold, stock }) {
  await page.getByLabel('What it does').selectOption(kind);
  await page.getByLabel('Name buyers read').fill(name);
  await page.getByLabel('Amount off').fill(amount);
  await page.getByLabel("Spend per step, or a coupon's minimum spend").fill(threshold);
  if (stock) await page.getByLabel('Coupons to give').fill(stock);
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.getByTestId('promotion').filter({ hasText: name }).waitFor();
}

test('a brand drafts 300 − 40 and a coupon, an admin approves, a shopper claims, wins an envelope and checks out with the breakdown', async () => {
  const { gala, browser } = ctx;
  const stamp = Date.now();
  const ownerContext = await browser.newContext({ viewport: viewports.phone });
  const owner = await ownerContext.newPage();
  const errors = [];
  owner.on('pageerror', (err) => errors.push(err.message));
  await apiSignedIn(owner, gala, 'Olive Owner', `olive.promo.${stamp}@gala.test`, 'runway-drop-2027');
  await apiLiveBrand(owner, browser, gala, 'maison-lune', 'Maison Lune');
  const coatId = await listingOnSale(owner, gala, 'maison-lune', 5, { title: 'Moon silk coat', code: 'MOON-1', price: 32_000 });

  // The brand's promotions page: empty, then two drafts submitted for review.
  await owner.goto(gala.baseUrl + '/brand/maison-lune/promotions');
  await waitForHydration(owner);
  await owner.getByText('No promotions yet').waitFor();
  // A draft with an impossible step is refused field by field.
  await owner.getByLabel('Name buyers read').fill('Too generous');
  await owner.getByLabel('Amount off').fill('300');
  await owner.getByLabel("Spend per step, or a coupon's minimum spend").fill('300');
  await owner.getByRole('button', { name: 'Save draft' }).click();
  await owner.getByText('Take off less than the step buyers spend.').waitFor();
  await draft(owner, { kind: 'store_threshold', name: '40 off every 300', amount: '40', threshold: '300' });
  await draft(owner, { kind: 'coupon', name: '30 off 200', amount: '30', threshold: '200', stock: '100' });
  for (const name of ['40 off every 300', '30 off 200']) {
    const row = owner.getByTestId('promotion').filter({ hasText: name });
    await row.getByRole('button', { name: 'Submit for review' }).click();
    await row.getByText('In review').waitFor();
  }
  assert.equal(await hasHorizontalScroll(owner), false, 'no sideways scrolling at 390 px');
  await owner.screenshot({ path: join(screenshotDir, 'promotions-brand-phone.png'), fullPage: true });

  // The admin approves both from the queue.
  const adminContext = await browser.newContext({ viewport: viewports.phone });
  const admin = await adminContext.newPage();
  admin.on('pageerror', (err) => errors.push(err.message));
  assert.ok((await admin.request.post(gala.baseUrl + '/api/v1/auth/signin', { data: ADMIN })).ok());
  await admin.goto(gala.baseUrl + '/admin/promotions');
  await waitForHydration(admin);
  for (const name of ['40 off every 300', '30 off 200']) {
    const item = admin.getByTestId('promotion-review').filter({ hasText: name });
    await item.waitFor();
    await item.getByRole('button', { name: 'Approve' }).click();
    await item.waitFor({ state: 'detached' });
  }
  await admin.getByText('Nothing to review').waitFor();
  // The platform's red-envelope pool for the test: every play wins ¥8.88.
  const pool = await admin.request.post(gala.baseUrl + '/api/v1/admin/envelope-pools', {
    data: {
      name: 'Test envelopes', currency: 'CNY', budget_minor: 100_000, min_minor: 888, max_minor: 888,
      win_percent: 100, per_buyer_count: 3, per_buyer_minor: 10_000, valid_hours: 24,
      starts_at: '2026-01-01T00:00', ends_at: '2099-01-01T00:00',
    },
  });
  assert.equal(pool.status(), 201, await pool.text());
  await admin.screenshot({ path: join(screenshotDir, 'promotions-admin-phone.png'), fullPage: true });
  await owner.reload();
  await waitForHydration(owner);
  assert.equal(await owner.getByTestId('promotion').filter({ hasText: 'Live' }).count(), 2);

  // A shopper claims the coupon on the listing page and finds it in the wallet.
  const shopperContext = await browser.newContext({ viewport: viewports.phone });
  const shopper = await shopperContext.newPage();
  shopper.on('pageerror', (err) => errors.push(err.message));
  await apiSignedIn(shopper, gala, 'Mei Lin', `mei.promo.${stamp}@example.com`, 'festival-shopper-1');
  // The offer is in the page as the server sends it (not fetched again after hydration).
  const html = await (await shopper.request.get(gala.baseUrl + `/p/${coatId}`)).text();
  assert.ok(html.includes('data-testid="coupon-offer"'), 'the coupon offer is server-rendered');
  await shopper.goto(gala.baseUrl + `/p/${coatId}`);
  await waitForHydration(shopper);
  const offer = shopper.getByTestId('coupon-offer').filter({ hasText: '30 off 200' });
  await offer.getByRole('button', { name: 'Claim' }).click();
  await shopper.getByText('Claimed: it is in').waitFor();
  await shopper.screenshot({ path: join(screenshotDir, 'promotions-claim-phone.png'), fullPage: true });
  await offer.getByRole('button', { name: 'Claim' }).click();
  await shopper.getByText('You have claimed this coupon already').waitFor();
  await shopper.goto(gala.baseUrl + '/coupons');
  await waitForHydration(shopper);
  await shopper.getByTestId('coupon').filter({ hasText: 'Ready to use' }).waitFor();

  // The festival page's game: one tap opens today's red envelope.
  await shopper.goto(gala.baseUrl + '/');
  await waitForHydration(shopper);
  await shopper.getByRole('button', { name: 'Open the red envelope' }).click();
  await shopper.getByText('You won a red envelope of ¥8.88!').waitFor();
  await shopper.screenshot({ path: join(screenshotDir, 'promotions-envelope-phone.png'), fullPage: false });

  // Checkout: the store's threshold applies by itself; choosing the coupon adds its line.
  await shopper.goto(gala.baseUrl + `/p/${coatId}`);
  await waitForHydration(shopper);
  await shopper.getByRole('button', { name: 'Buy now' }).click();
  await shopper.getByRole('heading', { name: 'Checkout' }).waitFor();
  await waitForHydration(shopper);
  await shopper.getByTestId('discount').filter({ hasText: '40 off every 300' }).waitFor();
  await shopper.getByText('¥280.00').first().waitFor(); // 320.00 − 40.00
  await shopper.getByLabel('30 off 200 — ¥30.00 off orders of ¥200.00 or more').check();
  await shopper.getByTestId('discount').filter({ hasText: '30 off 200' }).waitFor();
  await shopper.getByText('¥250.00').first().waitFor();
  await shopper.getByLabel(/¥8\.88 red envelope/).check();
  await shopper.getByTestId('discount').filter({ hasText: 'Red envelope' }).waitFor();
  await shopper.getByText('¥241.12').first().waitFor();
  await fillCheckout(shopper, `mei.promo.${stamp}@example.com`, '4242 4242 4242 4242');
  assert.equal(await hasHorizontalScroll(shopper), false, 'no sideways scrolling at 390 px');
  await shopper.screenshot({ path: join(screenshotDir, 'promotions-checkout-phone.png'), fullPage: true });
  await shopper.getByRole('button', { name: 'Pay and place order' }).click();
  await shopper.getByRole('heading', { name: 'Thank you — your order is confirmed' }).waitFor();
  const breakdown = await shopper.getByTestId('discount').allTextContents();
  assert.deepEqual(breakdown.map((t) => t.replace(/\s+/g, ' ').trim()), ['40 off every 300 from the store', '30 off 200 from the store', 'Red envelope from Gala']);
  await shopper.getByText('¥241.12').first().waitFor();
  await shopper.screenshot({ path: join(screenshotDir, 'promotions-order-phone.png'), fullPage: true });
  await shopper.goto(gala.baseUrl + '/coupons');
  await waitForHydration(shopper);
  await shopper.getByTestId('coupon').filter({ hasText: 'Used' }).waitFor();

  // A store code: the brand prints a QR code for its pop-up's door; a shopper who scans it
  // finds the cat for a red envelope.
  await owner.goto(gala.baseUrl + '/brand/maison-lune/promotions');
  await waitForHydration(owner);
  await owner.getByLabel('Where it hangs').fill('Shanghai pop-up, front door');
  await owner.getByLabel(/A red envelope: shoppers find the cat/).check();
  await owner.getByRole('button', { name: 'Create code' }).click();
  const code = owner.getByTestId('claim-link').filter({ hasText: 'Shanghai pop-up, front door' });
  await code.locator('svg').waitFor();
  const codePath = await code.getByRole('link').getAttribute('href');
  assert.match(codePath, /^\/claim\/[A-Za-z0-9_-]{43}$/);
  assert.equal(await hasHorizontalScroll(owner), false, 'no sideways scrolling at 390 px');
  await code.screenshot({ path: join(screenshotDir, 'promotions-store-code-phone.png') });
  await shopper.goto(gala.baseUrl + codePath);
  await waitForHydration(shopper);
  await shopper.getByRole('heading', { name: 'Shanghai pop-up, front door' }).waitFor();
  await shopper.getByRole('button', { name: /Find the cat/ }).click();
  await shopper.getByText('You won a red envelope of ¥8.88!').waitFor();
  await shopper.getByRole('button', { name: /Find the cat/ }).click();
  await shopper.getByText('You have played this moment already.').waitFor();
  await shopper.screenshot({ path: join(screenshotDir, 'promotions-store-code-claim-phone.png'), fullPage: true });
  assert.deepEqual(errors, []);
});
