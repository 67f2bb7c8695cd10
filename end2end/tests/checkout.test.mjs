// Checkout in the browser, on a phone: a guest buys a listing with the sandbox's success card
// and sees the confirmation; a declined card gets a clear message and nothing is bought.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import {
  apiLiveBrand,
  apiSignedIn,
  hasHorizontalScroll,
  screenshotDir,
  useGalaAndBrowser,
  viewports,
  waitForHydration,
  waitForMail,
} from './support.mjs';

const ctx = useGalaAndBrowser();

/** A published listing with `stock` units through the owner's API; answers its id. */
async function listingOnSale(owner, gala, slug, stock) {
  const base = gala.baseUrl + `/api/v1/brands/${slug}`;
  const created = await owner.request.post(base + '/listings', {
    data: {
      title: 'Runway trench coat',
      category: 'fashion',
      currency: 'CNY',
      variants: [{ code: 'TRENCH-1', price_minor: 259_900 }],
    },
  });
  assert.equal(created.status(), 201, await created.text());
  const listing = await created.json();
  const locations = await (await owner.request.get(base + '/locations')).json();
  const received = await owner.request.post(base + '/stock/changes', {
    data: { kind: 'receive', sku_code: 'TRENCH-1', location_id: locations[0].id, quantity: stock, reason: 'delivery' },
  });
  assert.equal(received.status(), 200);
  const published = await owner.request.post(base + `/listings/${listing.id}/status`, { data: { status: 'published' } });
  assert.equal(published.status(), 200);
  return listing.id;
}

async function fillCheckout(page, email, card) {
  await page.getByLabel('Email for your receipt').fill(email);
  await page.getByLabel('Full name').fill('Mei Lin');
  await page.getByLabel('Address', { exact: true }).fill('88 Century Avenue');
  await page.getByLabel('City').fill('Shanghai');
  await page.getByLabel('Postal code').fill('200120');
  await page.getByLabel('Card number').fill(card);
  await page.getByLabel('Expiry (MM/YY)').fill('12/31');
  await page.getByLabel('Security code').fill('123');
}

test('a guest buys on a phone with the sandbox card; a declined card says so', async () => {
  const { gala, browser } = ctx;
  const stamp = Date.now();
  const ownerContext = await browser.newContext({ viewport: viewports.desktop });
  const owner = await ownerContext.newPage();
  await apiSignedIn(owner, gala, 'Olive Owner', `olive.checkout.${stamp}@gala.test`, 'runway-drop-2027');
  await apiLiveBrand(owner, browser, gala, 'atelier-nuit', 'Atelier Nuit');
  const listingId = await listingOnSale(owner, gala, 'atelier-nuit', 3);

  const shopperContext = await browser.newContext({ viewport: viewports.phone });
  const shopper = await shopperContext.newPage();
  const errors = [];
  shopper.on('pageerror', (err) => errors.push(err.message));
  await shopper.goto(gala.baseUrl + `/p/${listingId}`);
  await waitForHydration(shopper);
  await shopper.getByRole('link', { name: 'Buy now' }).click();
  await shopper.getByRole('heading', { name: 'Checkout' }).waitFor();
  await shopper.getByText('Runway trench coat').waitFor();

  // A declined card: a clear message, no order, the form keeps what was typed.
  await fillCheckout(shopper, `mei.${stamp}@example.com`, '4000 0000 0000 0002');
  await shopper.getByRole('button', { name: 'Pay and place order' }).click();
  await shopper.getByText('Your card was declined').waitFor();
  assert.equal(await shopper.getByLabel('Full name').inputValue(), 'Mei Lin');
  await shopper.screenshot({ path: join(screenshotDir, 'checkout-declined-phone.png'), fullPage: true });

  // A bad field is pointed at.
  await shopper.getByLabel('Card number').fill('1234');
  await shopper.getByRole('button', { name: 'Pay and place order' }).click();
  await shopper.getByText('This card number is not valid.').waitFor();

  // The success card: the confirmation page, and a mail.
  await shopper.getByLabel('Card number').fill('4242 4242 4242 4242');
  await shopper.getByLabel('Express (1–2 days)', { exact: false }).check();
  assert.equal(await hasHorizontalScroll(shopper), false, 'no sideways scrolling at 390 px');
  await shopper.screenshot({ path: join(screenshotDir, 'checkout-phone.png'), fullPage: true });
  await shopper.getByRole('button', { name: 'Pay and place order' }).click();
  await shopper.getByRole('heading', { name: 'Thank you — your order is confirmed' }).waitFor();
  assert.match(shopper.url(), /\/orders\/[0-9a-f-]{36}$/);
  await shopper.getByText('¥2,614.00').waitFor(); // 2,599.00 + 15.00 express
  await shopper.getByText('•••• 4242').waitFor();
  assert.equal(await hasHorizontalScroll(shopper), false);
  await shopper.screenshot({ path: join(screenshotDir, 'order-confirmation-phone.png'), fullPage: true });
  const mail = await waitForMail(gala.outboxDir, `mei.${stamp}@example.com`, { subject: 'Your Gala order' });
  assert.match(mail, /Runway trench coat/);

  // Stock went down by one: two left on the listing page.
  await shopper.goto(gala.baseUrl + `/p/${listingId}`);
  await shopper.getByText('2 available').waitFor();
  assert.deepEqual(errors, []);
  await shopperContext.close();
  await ownerContext.close();
});
