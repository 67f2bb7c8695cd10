// The platform's multi-brand gala, planned by an admin on a 390 px phone: a look mixing two
// brands' products, one with drop stock set aside, then submitted and approved.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import {
  ADMIN,
  apiLiveBrand,
  apiSignedIn,
  hasHorizontalScroll,
  listingOnSale,
  screenshotDir,
  useGalaAndBrowser,
  viewports,
  waitForHydration,
} from './support.mjs';

const ctx = useGalaAndBrowser();

test('an admin plans a gala whose look mixes two brands, on a phone', async () => {
  const { gala, browser } = ctx;
  const stamp = Date.now();
  // Two brands, each with a product on sale.
  const ownersContext = await browser.newContext();
  const brands = [
    ['atelier-nord', 'Atelier Nord', 'NORD-PARKA', 'Nord down parka'],
    ['soleil-studio', 'Soleil Studio', 'SOLEIL-TOTE', 'Soleil canvas tote'],
  ];
  for (const [slug, name, code, title] of brands) {
    const owner = await ownersContext.newPage();
    await apiSignedIn(owner, gala, `${name} Owner`, `${slug}.${stamp}@gala.test`, 'gala-owner-2027');
    await apiLiveBrand(owner, browser, gala, slug, name);
    await listingOnSale(owner, gala, slug, 6, { title, code, price: 59_900 });
    await owner.context().clearCookies();
  }
  await ownersContext.close();

  const adminContext = await browser.newContext({ viewport: viewports.phone });
  const admin = await adminContext.newPage();
  const errors = [];
  admin.on('pageerror', (err) => errors.push(err.message));
  assert.ok((await admin.request.post(gala.baseUrl + '/api/v1/auth/signin', { data: ADMIN })).ok());
  await admin.goto(gala.baseUrl + '/admin/galas');
  await waitForHydration(admin);
  // The demo data's gala is listed; plan another.
  await admin.getByRole('heading', { name: 'Plan a gala' }).waitFor();
  await admin.getByText('11.11 Global Gala — See Now, Buy Now').waitFor();
  await admin.screenshot({ path: join(screenshotDir, 'galas-phone.png'), fullPage: true });
  await admin.getByLabel('Title').fill('11.11 Global Gala');
  await admin.getByLabel('Stream address').fill('https://cdn.example.com/gala/live.m3u8');
  await admin.getByRole('button', { name: 'Create draft' }).click();
  await admin.waitForURL(/\/admin\/galas\/[0-9a-f-]{36}$/);
  await waitForHydration(admin);

  // One look, two brands: each product names its brand.
  await admin.getByLabel('Look title').fill('Opening: north meets south');
  const brandFields = admin.getByLabel('Brand (slug)');
  const codeFields = admin.getByLabel('SKU code');
  await brandFields.nth(0).fill('atelier-nord');
  await codeFields.nth(0).fill('NORD-PARKA');
  await admin.getByLabel('Drop stock (optional)').nth(0).fill('2');
  await brandFields.nth(1).fill('soleil-studio');
  await codeFields.nth(1).fill('NORD-PARKA');
  await admin.getByRole('button', { name: 'Add look' }).click();
  // A code from the wrong brand is refused on its field.
  await admin.getByText("No SKU with this code in that brand's catalog.").waitFor();
  await codeFields.nth(1).fill('SOLEIL-TOTE');
  await admin.getByRole('button', { name: 'Add look' }).click();
  await admin.getByRole('heading', { name: 'Opening: north meets south' }).waitFor();
  await admin.getByText('2 of 2 set aside left').waitFor();
  await admin.getByText('6 in stock').waitFor();
  assert.equal(await hasHorizontalScroll(admin), false, 'no sideways scrolling at 390 px');
  await admin.screenshot({ path: join(screenshotDir, 'gala-editor-phone.png'), fullPage: true });

  // Reviewed like any show; then listed with the brands taking part.
  await admin.getByRole('button', { name: 'Submit for review' }).click();
  await admin.getByText('In review by the platform').waitFor();
  await admin.goto(gala.baseUrl + '/admin/shows');
  await waitForHydration(admin);
  await admin.getByText('Gala · Atelier Nord, Soleil Studio').waitFor();
  await admin.getByRole('button', { name: 'Approve' }).click();
  await admin.getByText('Nothing to review').waitFor();
  await admin.goto(gala.baseUrl + '/shows');
  await admin.getByText('Gala · Atelier Nord, Soleil Studio').waitFor();
  assert.equal(await hasHorizontalScroll(admin), false, 'no sideways scrolling at 390 px');

  assert.deepEqual(errors, [], 'no script errors');
  await adminContext.close();
});
