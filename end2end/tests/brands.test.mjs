// Brands in the browser: a verified person applies, a platform admin approves in the review
// queue, and the new owner opens the brand dashboard — on a phone and on a desktop.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { join } from 'node:path';
import {
  ADMIN,
  hasHorizontalScroll,
  fixtureDir,
  screenshotDir,
  signIn,
  signUpVerified,
  useGalaAndBrowser,
  viewports,
  waitForHydration,
  waitForMail,
} from './support.mjs';

const ctx = useGalaAndBrowser();

for (const [name, viewport] of Object.entries(viewports)) {
  describe(`brand onboarding on a ${name} (${viewport.width} px)`, () => {
    test('apply, admin approves, owner sees the dashboard and the public page', async () => {
      const { gala, browser } = ctx;
      const slug = `lune-${name}`;
      const email = `owner.${name}.${Date.now()}@gala.test`;
      const owner = await browser.newPage({ viewport });
      const errors = [];
      owner.on('pageerror', (err) => errors.push(err.message));
      await signUpVerified(owner, gala, 'Mia Wong', email, 'runway-drop-2027');
      await signIn(owner, gala.baseUrl, email, 'runway-drop-2027');

      await owner.goto(gala.baseUrl + '/brands/apply');
      await waitForHydration(owner);
      await owner.getByLabel('Brand name').fill(`Maison Lune ${name}`);
      await owner.getByLabel('Web address').fill(slug);
      await owner.getByLabel('Registered company name').fill('Maison Lune SARL');
      await owner.getByLabel('Business licence number').fill('RCS 812 345 678');
      await owner.getByLabel('Country of registration').fill('FR');
      await owner.getByLabel('Category').selectOption('fashion');
      await owner.getByLabel('Contact email').fill('team@maisonlune.test');
      await owner.getByLabel('Short description').fill('Parisian ready-to-wear, made for the runway and after.');
      await owner.getByRole('button', { name: 'Send application' }).click();
      await owner.getByRole('heading', { name: 'Application received' }).waitFor();
      assert.equal(await hasHorizontalScroll(owner), false);

      // While the application is reviewed, the applicant adds the logo from "Your brands".
      await owner.goto(gala.baseUrl + '/brands');
      await waitForHydration(owner);
      await owner.getByLabel('Add your logo to the application').setInputFiles(join(fixtureDir, 'logo.png'));
      await owner.getByRole('button', { name: 'Upload logo' }).click();
      await owner.getByText('Logo saved.').waitFor();
      await owner.getByRole('img', { name: `Maison Lune ${name} logo` }).waitFor();
      assert.equal(await hasHorizontalScroll(owner), false);
      await owner.screenshot({ path: join(screenshotDir, `brands-list-${name}.png`), fullPage: true });

      const admin = await browser.newPage({ viewport });
      await signIn(admin, gala.baseUrl, ADMIN.email, ADMIN.password);
      await admin.goto(gala.baseUrl + '/admin/brands');
      await waitForHydration(admin);
      const card = admin.locator('.review-card', { hasText: `Maison Lune ${name}` });
      await card.waitFor();
      assert.equal(await hasHorizontalScroll(admin), false);
      await admin.screenshot({ path: join(screenshotDir, `admin-queue-${name}.png`), fullPage: true });
      await card.getByLabel('Approve').check();
      await card.getByRole('button', { name: 'Submit decision' }).click();
      await card.waitFor({ state: 'detached' });

      await owner.goto(gala.baseUrl + `/brand/${slug}`);
      await owner.getByRole('heading', { name: `Maison Lune ${name}` }).waitFor();
      await owner.getByText('Live', { exact: true }).waitFor();
      assert.equal(await hasHorizontalScroll(owner), false);
      await owner.screenshot({ path: join(screenshotDir, `brand-dashboard-${name}.png`), fullPage: true });

      // The owner invites a manager, who joins through the mailed link and sees the dashboard.
      await owner.goto(gala.baseUrl + `/brand/${slug}/team`);
      await waitForHydration(owner);
      const managerEmail = `manager.${name}.${Date.now()}@gala.test`;
      await owner.getByLabel('Email address').fill(managerEmail);
      await owner.locator('#field-invite-role').selectOption('manager');
      await owner.getByRole('button', { name: 'Send invitation' }).click();
      await owner.getByText('Invitation sent.').waitFor();
      await owner.getByText(managerEmail).waitFor();
      assert.equal(await hasHorizontalScroll(owner), false);
      await owner.screenshot({ path: join(screenshotDir, `brand-team-${name}.png`), fullPage: true });

      const manager = await browser.newPage({ viewport });
      await signUpVerified(manager, gala, 'Max Manager', managerEmail, 'runway-drop-2027');
      await signIn(manager, gala.baseUrl, managerEmail, 'runway-drop-2027');
      const invite = await waitForMail(gala.outboxDir, managerEmail, { subject: 'Join ' });
      const inviteLink = invite.match(/https?:\/\/\S+\/invites\/accept\?token=[A-Za-z0-9_-]+/)[0];
      await manager.goto(inviteLink.replace(/^https?:\/\/[^/]+/, gala.baseUrl));
      await waitForHydration(manager);
      await manager.getByRole('button', { name: 'Accept the invitation' }).click();
      await manager.getByRole('link', { name: 'Open the dashboard' }).click();
      await manager.getByRole('heading', { name: `Maison Lune ${name}` }).waitFor();
      assert.equal(await hasHorizontalScroll(manager), false);
      await manager.screenshot({ path: join(screenshotDir, `brand-dashboard-manager-${name}.png`), fullPage: true });
      await manager.close();

      const visitor = await browser.newPage({ viewport });
      const response = await visitor.goto(gala.baseUrl + `/b/${slug}`);
      assert.equal(response.status(), 200);
      await visitor.getByRole('heading', { name: `Maison Lune ${name}` }).waitFor();
      const logo = visitor.getByRole('img', { name: `Maison Lune ${name} logo` });
      // Wait for the image to finish loading (or failing), then check it decoded at full size.
      const width = await logo.evaluate((img) => (img.complete ? img.naturalWidth : new Promise((done) => {
        img.addEventListener('load', () => done(img.naturalWidth), { once: true });
        img.addEventListener('error', () => done(0), { once: true });
      })));
      assert.equal(width, 256, 'the logo loads');
      await visitor.screenshot({ path: join(screenshotDir, `brand-public-${name}.png`), fullPage: true });
      const missing = await visitor.goto(gala.baseUrl + '/b/no-such-brand');
      assert.equal(missing.status(), 404);
      assert.deepEqual(errors, []);
      await Promise.all([owner.close(), admin.close(), visitor.close()]);
    });
  });
}
