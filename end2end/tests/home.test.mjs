// The home page: server-rendered, hydrated, usable on a 390 px phone and on a desktop.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { join } from 'node:path';
import {
  hasHorizontalScroll,
  screenshotDir,
  useGalaAndBrowser,
  viewports,
  waitForHydration,
} from './support.mjs';

const ctx = useGalaAndBrowser();

for (const [name, viewport] of Object.entries(viewports)) {
  describe(`home page on a ${name} (${viewport.width} px)`, () => {
    test('renders the festival, hydrates, and has no horizontal scroll', async () => {
      const page = await ctx.browser.newPage({ viewport });
      const errors = [];
      page.on('pageerror', (err) => errors.push(err.message));
      const response = await page.goto(ctx.gala.baseUrl + '/');
      assert.equal(response.status(), 200);
      await waitForHydration(page);
      assert.equal(await page.title(), 'The festival in your pocket · Gala');
      await page.getByRole('heading', { name: 'The festival in your pocket' }).waitFor();
      await page.getByText('Gala 11.11 Global Shopping Festival').waitFor();
      assert.equal(await hasHorizontalScroll(page), false, 'no horizontal scroll');

      // The countdown ticks only in the browser: its seconds change after hydration.
      const seconds = page.locator('.countdown__unit[data-unit="sec"] .countdown__value');
      const first = await seconds.textContent();
      await page.waitForFunction(
        (before) => document.querySelector('.countdown__unit[data-unit="sec"] .countdown__value')?.textContent !== before,
        first,
        { timeout: 5_000 },
      );
      await page.screenshot({ path: join(screenshotDir, `home-${name}.png`), fullPage: true });
      assert.deepEqual(errors, [], 'no errors in the browser console');
      await page.close();
    });
  });
}

test('the phone menu opens and closes after hydration', async () => {
  const page = await ctx.browser.newPage({ viewport: viewports.phone });
  await page.goto(ctx.gala.baseUrl + '/');
  await waitForHydration(page);
  const toggle = page.getByRole('button', { name: 'Menu' });
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.equal(await nav.isVisible(), false, 'menu starts closed on a phone');
  await toggle.click();
  await nav.waitFor({ state: 'visible' });
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  await page.screenshot({ path: join(screenshotDir, 'home-phone-menu.png') });
  await toggle.click();
  await nav.waitFor({ state: 'hidden' });
  await page.close();
});

test('an unknown address shows the 404 page', async () => {
  const page = await ctx.browser.newPage({ viewport: viewports.phone });
  const response = await page.goto(ctx.gala.baseUrl + '/no/such/page');
  assert.equal(response.status(), 404);
  await page.getByRole('heading', { name: 'This page is not on the runway' }).waitFor();
  assert.equal(await hasHorizontalScroll(page), false);
  await page.screenshot({ path: join(screenshotDir, 'not-found-phone.png') });
  await page.close();
});
