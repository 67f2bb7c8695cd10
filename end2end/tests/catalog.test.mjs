// The catalog in the browser: a brand manager creates a listing with two variants, receives
// stock and publishes it; a shopper on a phone finds it by search and opens it.
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

test('a manager lists a product with two variants and a shopper finds it on a phone', async () => {
  const { gala, browser } = ctx;
  const stamp = Date.now();
  const ownerContext = await browser.newContext({ viewport: viewports.desktop });
  const owner = await ownerContext.newPage();
  await apiSignedIn(owner, gala, 'Olive Owner', `olive.${stamp}@gala.test`, 'runway-drop-2027');
  await apiLiveBrand(owner, browser, gala, 'maison-lune', 'Maison Lune');

  // The owner invites a manager, who joins through the mailed link.
  const managerEmail = `max.${stamp}@gala.test`;
  const invited = await owner.request.post(gala.baseUrl + '/api/v1/brands/maison-lune/invites', {
    data: { email: managerEmail, role: 'manager' },
  });
  assert.equal(invited.status(), 201);
  const managerContext = await browser.newContext({ viewport: viewports.desktop });
  const manager = await managerContext.newPage();
  const errors = [];
  manager.on('pageerror', (err) => errors.push(err.message));
  await apiSignedIn(manager, gala, 'Max Manager', managerEmail, 'runway-drop-2027');
  const invite = await waitForMail(gala.outboxDir, managerEmail, { subject: 'Join ' });
  const token = invite.match(/invites\/accept\?token=([A-Za-z0-9_-]+)/)[1];
  const accepted = await manager.request.post(gala.baseUrl + '/api/v1/invites/accept', { data: { token } });
  assert.equal(accepted.status(), 200);

  // The manager creates the listing in the editor.
  await manager.goto(gala.baseUrl + '/brand/maison-lune/listings');
  await waitForHydration(manager);
  await manager.getByText('No listings here yet').waitFor();
  await manager.getByRole('link', { name: 'New listing' }).click();
  await manager.getByLabel('Title').fill('Moonlight silk slip dress');
  await manager.getByLabel('Description').fill('Bias-cut **mulberry silk** that moves on the runway.');
  await manager.getByRole('button', { name: 'Add option' }).click();
  await manager.getByLabel('Option name').fill('Size');
  await manager.getByLabel('Values, separated by commas').fill('S, M');
  await manager.getByLabel('SKU code').fill('MOON-S');
  await manager.locator('select[id$="-option-0"]').first().selectOption('S');
  await manager.getByLabel('Price', { exact: true }).fill('1299');
  await manager.getByRole('button', { name: 'Add variant' }).click();
  const second = manager.locator('.variant-card').nth(1);
  await second.getByLabel('SKU code').fill('MOON-M');
  await second.locator('select').selectOption('M');
  await second.getByLabel('Price', { exact: true }).fill('1399');
  await second.getByLabel('Was price (optional)').fill('1599');
  await manager.getByRole('button', { name: 'Create listing' }).click();
  await manager.getByText('Listing created as a draft').waitFor();
  await manager.screenshot({ path: join(screenshotDir, 'listing-editor-desktop.png'), fullPage: true });

  // Stock arrives for both variants, then the listing is published.
  for (const [code, units] of [['MOON-S', '5'], ['MOON-M', '3']]) {
    await manager.locator('#stock-sku').selectOption(code);
    await manager.getByLabel('Units').fill(units);
    await manager.getByRole('button', { name: 'Apply' }).click();
    await manager.locator('.stock-table tr', { hasText: code }).locator('td', { hasText: units }).first().waitFor();
  }
  // The ledger follows the chosen variant, and keeps it when publishing re-renders the page.
  await manager.locator('#ledger-sku').selectOption('MOON-M');
  await manager.locator('.ledger__delta', { hasText: '+3' }).first().waitFor();
  await manager.getByRole('button', { name: 'Publish' }).click();
  await manager.getByText('Shoppers can find and buy this listing.').waitFor();
  assert.equal(await manager.locator('#ledger-sku').inputValue(), 'MOON-M');
  await manager.locator('.ledger__delta', { hasText: '+3' }).first().waitFor();
  assert.equal(await hasHorizontalScroll(manager), false);
  await manager.screenshot({ path: join(screenshotDir, 'listing-published-desktop.png'), fullPage: true });

  // A shopper on a phone searches from the header and opens the listing.
  const shopperContext = await browser.newContext({ viewport: viewports.phone });
  const shopper = await shopperContext.newPage();
  shopper.on('pageerror', (err) => errors.push(err.message));
  await shopper.goto(gala.baseUrl + '/');
  await waitForHydration(shopper);
  await shopper.getByLabel('Search Gala').fill('moonlight silk');
  await shopper.getByLabel('Search Gala').press('Enter');
  await shopper.getByRole('heading', { name: 'Results for “moonlight silk”' }).waitFor();
  const card = shopper.locator('.product-card', { hasText: 'Moonlight silk slip dress' });
  await card.waitFor();
  assert.equal(await hasHorizontalScroll(shopper), false);
  await shopper.screenshot({ path: join(screenshotDir, 'search-phone.png'), fullPage: true });
  await card.click();
  await shopper.getByRole('heading', { name: 'Moonlight silk slip dress' }).waitFor();
  await waitForHydration(shopper);
  await shopper.getByText('¥1,299.00').waitFor();
  await shopper.getByText('5 available').waitFor();
  await shopper.locator('.variant-chip', { hasText: 'M' }).click();
  await shopper.getByText('¥1,399.00').waitFor();
  await shopper.getByText('3 available').waitFor();
  await shopper.getByText('¥1,599.00').waitFor();
  assert.equal(await hasHorizontalScroll(shopper), false);
  assert.equal(await shopper.title(), 'Moonlight silk slip dress · Gala');
  await shopper.screenshot({ path: join(screenshotDir, 'listing-phone.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await Promise.all([ownerContext.close(), managerContext.close(), shopperContext.close()]);
});
