// The storefront without JavaScript: search, Add to cart and the checkout form are real forms
// the server answers as plain posts, so a shopper whose wasm has not loaded yet (or never
// will) can still find, add and buy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { screenshotDir, useGalaAndBrowser, viewports } from './support.mjs';
import { join } from 'node:path';

const ctx = useGalaAndBrowser();

/** A phone with JavaScript switched off. */
async function phoneWithoutScripts() {
  const context = await ctx.browser.newContext({ viewport: viewports.phone, javaScriptEnabled: false });
  return { context, page: await context.newPage() };
}

/** Searches from the header, opens the first result in stock and adds it to the cart. */
async function addFirstCoatToCart(page) {
  await page.goto(ctx.gala.baseUrl + '/');
  await page.getByLabel('Search Gala').fill('coat');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.waitForURL('**/search?q=coat');
  const results = page.locator('a[href^="/p/"]');
  assert.ok((await results.count()) > 0, 'the server rendered search results');
  await results.first().click();
  await page.waitForURL('**/p/*');
  const title = (await page.locator('h1').textContent()).trim();
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.waitForURL('**/cart');
  await page.getByText(title).first().waitFor();
  return title;
}

/** Fills the checkout's delivery and card fields. */
async function fillCheckout(page, card) {
  await page.getByLabel('Email for your receipt').fill('nojs@example.com');
  await page.getByLabel('Full name').fill('Mei Lin');
  await page.getByLabel('Address', { exact: true }).fill('88 Century Avenue');
  await page.getByLabel('City').fill('Shanghai');
  await page.getByLabel('Postal code').fill('200120');
  await page.getByLabel('Card number').fill(card);
  await page.getByLabel('Expiry (MM/YY)').fill('12/31');
  await page.getByLabel('Security code').fill('123');
}

test('without JavaScript a shopper searches, adds to the cart and pays through plain forms', async () => {
  const { context, page } = await phoneWithoutScripts();
  try {
    const title = await addFirstCoatToCart(page);
    await page.getByRole('link', { name: 'Check out' }).click();
    await page.waitForURL('**/checkout');

    // A field left empty: the server sends the page back with the field's own message.
    await fillCheckout(page, '4242 4242 4242 4242');
    await page.getByLabel('Full name').fill('');
    await page.getByRole('button', { name: 'Pay and place order' }).click();
    await page.waitForURL('**/checkout?**');
    const nameField = page.getByLabel('Full name');
    assert.equal(await nameField.getAttribute('aria-invalid'), 'true', 'the empty name is marked invalid');

    // A declined card: the page says so, and nothing was bought.
    await fillCheckout(page, '4000 0000 0000 0002');
    await page.getByRole('button', { name: 'Pay and place order' }).click();
    await page.waitForURL('**/checkout?**');
    await page.getByRole('alert').filter({ hasText: /declined/i }).waitFor();

    // A good card: the confirmation page, and the cart is empty.
    await fillCheckout(page, '4242 4242 4242 4242');
    await page.getByRole('button', { name: 'Pay and place order' }).click();
    await page.waitForURL('**/orders/**');
    await page.getByRole('heading', { name: 'Thank you — your order is confirmed' }).waitFor();
    await page.getByText(title).first().waitFor();
    await page.screenshot({ path: join(screenshotDir, 'nojs-order-phone.png'), fullPage: true });
    await page.goto(ctx.gala.baseUrl + '/cart');
    await page.getByText('Your cart is empty').waitFor();
  } finally {
    await context.close();
  }
});

test('without JavaScript "Buy now" opens the checkout for the picked item', async () => {
  const { context, page } = await phoneWithoutScripts();
  try {
    await page.goto(ctx.gala.baseUrl + '/search?q=coat');
    await page.locator('a[href^="/p/"]').first().click();
    await page.waitForURL('**/p/*');
    const title = (await page.locator('h1').textContent()).trim();
    await page.getByRole('button', { name: 'Buy now' }).click();
    await page.waitForURL('**/checkout?**sku=**');
    await page.getByText(title).first().waitFor();
    await fillCheckout(page, '4242 4242 4242 4242');
    await page.getByRole('button', { name: 'Pay and place order' }).click();
    await page.waitForURL('**/orders/**');
    await page.getByRole('heading', { name: 'Thank you — your order is confirmed' }).waitFor();
  } finally {
    await context.close();
  }
});
