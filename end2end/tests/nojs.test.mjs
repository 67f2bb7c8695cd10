// The storefront without JavaScript: search, Add to cart and the checkout form are real forms
// the server answers as plain posts, so a shopper whose wasm has not loaded yet (or never
// will) can still find, add and buy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fillCheckout, screenshotDir, useGalaAndBrowser, viewports } from './support.mjs';
import { join } from 'node:path';

const ctx = useGalaAndBrowser();

/** A phone with JavaScript switched off. */
async function phoneWithoutScripts() {
  const context = await ctx.browser.newContext({ viewport: viewports.phone, javaScriptEnabled: false });
  return { context, page: await context.newPage() };
}

/** Searches from the header and opens the first result that can be bought; answers its title. */
async function openFirstCoatInStock(page) {
  await page.goto(ctx.gala.baseUrl + '/');
  await page.getByLabel('Search Gala').fill('coat');
  await page.locator('form.site-search button[type="submit"]').click();
  await page.waitForURL(/\/search\?q=coat$/);
  const links = await page.locator('a[href^="/p/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(links.length > 0, 'the server rendered search results');
  for (const href of [...new Set(links)]) {
    await page.goto(ctx.gala.baseUrl + href);
    if ((await page.getByRole('button', { name: 'Add to cart' }).count()) > 0) {
      return (await page.locator('h1').textContent()).trim();
    }
  }
  throw new Error('no coat in stock among the results');
}

/** Opens a coat in stock and adds it to the cart with the plain form. */
async function addFirstCoatToCart(page) {
  const title = await openFirstCoatInStock(page);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.waitForURL(/\/cart$/);
  await page.getByText(title).first().waitFor();
  return title;
}

/** Fills the checkout's delivery and card fields. */
test('without JavaScript a shopper searches, adds to the cart and pays through plain forms', async () => {
  const { context, page } = await phoneWithoutScripts();
  try {
    const title = await addFirstCoatToCart(page);
    await page.getByRole('link', { name: 'Check out' }).click();
    await page.waitForURL(/\/checkout$/);

    // A field left empty: the server sends the page back with the field's own message.
    await fillCheckout(page, 'nojs@example.com', '4242 4242 4242 4242');
    await page.getByLabel('Full name').fill('');
    await page.getByRole('button', { name: 'Pay and place order' }).click();
    await page.waitForURL(/\/checkout\?.*__err=/);
    const nameField = page.getByLabel('Full name');
    assert.equal(await nameField.getAttribute('aria-invalid'), 'true', 'the empty name is marked invalid');

    // A declined card: the page says so, and nothing was bought.
    await fillCheckout(page, 'nojs@example.com', '4000 0000 0000 0002');
    await page.getByRole('button', { name: 'Pay and place order' }).click();
    await page.waitForURL(/\/checkout\?.*__err=/);
    await page.getByRole('alert').filter({ hasText: /declined/i }).waitFor();

    // A good card: the confirmation page, and the cart is empty.
    await fillCheckout(page, 'nojs@example.com', '4242 4242 4242 4242');
    await page.getByRole('button', { name: 'Pay and place order' }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}\?key=/);
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
    const title = await openFirstCoatInStock(page);
    await page.getByRole('button', { name: 'Buy now' }).click();
    await page.waitForURL(/\/checkout\?.*sku=/);
    await page.getByText(title).first().waitFor();
    await fillCheckout(page, 'nojs@example.com', '4242 4242 4242 4242');
    await page.getByRole('button', { name: 'Pay and place order' }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}\?key=/);
    await page.getByRole('heading', { name: 'Thank you — your order is confirmed' }).waitFor();
  } finally {
    await context.close();
  }
});
