// Cart and checkout in the browser, on a phone: a guest adds two listings to the cart, checks
// out with the sandbox's success card and sees the confirmation (a declined card first gets a
// clear message and nothing is bought); then the brand ships the order from its dashboard.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import {
  apiLiveBrand,
  apiSignedIn,
  fillCheckout,
  hasHorizontalScroll,
  listingOnSale,
  screenshotDir,
  useGalaAndBrowser,
  viewports,
  waitForHydration,
  waitForMail,
} from './support.mjs';

const ctx = useGalaAndBrowser();

test('a guest fills a cart on a phone, pays with the sandbox card, and the brand ships it', async () => {
  const { gala, browser } = ctx;
  const stamp = Date.now();
  const ownerContext = await browser.newContext({ viewport: viewports.desktop });
  const owner = await ownerContext.newPage();
  await apiSignedIn(owner, gala, 'Olive Owner', `olive.checkout.${stamp}@gala.test`, 'runway-drop-2027');
  await apiLiveBrand(owner, browser, gala, 'atelier-nuit', 'Atelier Nuit');
  const coatId = await listingOnSale(owner, gala, 'atelier-nuit', 3, { title: 'Runway trench coat', code: 'TRENCH-1', price: 259_900 });
  const scarfId = await listingOnSale(owner, gala, 'atelier-nuit', 10, { title: 'Silk night scarf', code: 'SCARF-1', price: 45_000 });

  const shopperContext = await browser.newContext({ viewport: viewports.phone });
  const shopper = await shopperContext.newPage();
  const errors = [];
  shopper.on('pageerror', (err) => errors.push(err.message));

  // Add both listings to the cart from their pages; the header counts them.
  for (const id of [coatId, scarfId]) {
    await shopper.goto(gala.baseUrl + `/p/${id}`);
    await waitForHydration(shopper);
    await shopper.getByRole('button', { name: 'Add to cart' }).click();
    await shopper.getByText('Added to your cart.').waitFor();
  }
  await shopper.getByTestId('cart-count').filter({ hasText: '2' }).waitFor();
  await shopper.getByRole('link', { name: 'View cart' }).click();
  await shopper.getByRole('heading', { name: 'Your cart' }).waitFor();
  await shopper.getByText('Silk night scarf').waitFor();
  // One more scarf with the stepper: the subtotal follows.
  await shopper.getByRole('group', { name: 'Quantity of Silk night scarf' }).getByRole('button', { name: 'One more' }).click();
  await shopper.getByText('Items (3)').waitFor();
  await shopper.getByText('¥3,499.00').first().waitFor(); // 2,599 + 2 × 450
  assert.equal(await hasHorizontalScroll(shopper), false, 'no sideways scrolling at 390 px');
  await shopper.screenshot({ path: join(screenshotDir, 'cart-phone.png'), fullPage: true });
  await shopper.getByRole('link', { name: 'Check out' }).click();
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

  // The success card: the confirmation page, a mail, and an empty cart.
  await shopper.getByLabel('Card number').fill('4242 4242 4242 4242');
  await shopper.getByLabel('Express (1–2 days)', { exact: false }).check();
  assert.equal(await hasHorizontalScroll(shopper), false, 'no sideways scrolling at 390 px');
  await shopper.screenshot({ path: join(screenshotDir, 'checkout-phone.png'), fullPage: true });
  await shopper.getByRole('button', { name: 'Pay and place order' }).click();
  await shopper.getByRole('heading', { name: 'Thank you — your order is confirmed' }).waitFor();
  // A guest's confirmation page carries its secret: the link is what lets them (and only
  // them) see the order again.
  assert.match(shopper.url(), /\/orders\/[0-9a-f-]{36}\?key=[A-Za-z0-9_-]{43}$/);
  await shopper.getByText('¥3,514.00').waitFor(); // 3,499.00 + 15.00 express
  await shopper.getByText('•••• 4242').waitFor();
  assert.equal(await hasHorizontalScroll(shopper), false);
  await shopper.screenshot({ path: join(screenshotDir, 'order-confirmation-phone.png'), fullPage: true });
  assert.equal(await shopper.getByTestId('cart-count').count(), 0, 'the cart is empty after the order');
  const mail = await waitForMail(gala.outboxDir, `mei.${stamp}@example.com`, { subject: 'Your Gala order' });
  assert.match(mail, /Runway trench coat/);
  const number = (await shopper.locator('.order__number strong').textContent()).trim();

  // Stock went down by one: two coats left on the listing page.
  await shopper.goto(gala.baseUrl + `/p/${coatId}`);
  await shopper.getByText('2 available').waitFor();

  // The brand finds the order in its dashboard and ships it; the buyer is told.
  await owner.goto(gala.baseUrl + '/brand/atelier-nuit/orders?status=paid');
  await waitForHydration(owner);
  await owner.getByRole('link', { name: new RegExp(number) }).click();
  await owner.getByRole('heading', { name: `Order ${number}` }).waitFor();
  await owner.getByLabel('Carrier').fill('SF Express');
  await owner.getByLabel('Tracking number').fill('SF1234567890');
  await owner.getByRole('button', { name: 'Mark shipped and notify the buyer' }).click();
  await owner.getByText('Shipped with SF Express: SF1234567890').waitFor();
  await owner.screenshot({ path: join(screenshotDir, 'brand-order-shipped.png'), fullPage: true });
  const shipped = await waitForMail(gala.outboxDir, `mei.${stamp}@example.com`, { subject: 'Atelier Nuit shipped your Gala order' });
  assert.match(shipped, /SF1234567890/);
  assert.deepEqual(errors, []);
  await shopperContext.close();
  await ownerContext.close();
});
