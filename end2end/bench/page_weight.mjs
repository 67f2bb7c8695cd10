// Page-weight benchmark (a benchmark, not a test: it prints figures and asserts nothing).
//
// For the shopper's pages (home, search, listing, show, cart, checkout) at 390 px, with the
// browser cache off and the CPU slowed 4x (a mid-range phone), on a fast-4G and a slow-4G
// network profile, it prints the bytes transferred by kind (HTML, wasm, JS, CSS; as sent, i.e.
// compressed), the time to first contentful paint and the time until the page responds to a
// tap (the app marks <html data-hydrated> once the page's code has taken over).
//
// Given a previous build (--before-bin and --before-site), it measures that build the same way
// in the same run, so the two columns are comparable on a noisy machine.
//
//   node end2end/bench/page_weight.mjs [--bin target/release/gala] [--site target/site]
//        [--before-bin /tmp/gala-before] [--before-site /tmp/site-before] [--runs 3]
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { launchBrowser, repoRoot, startGala } from '../tests/support.mjs';

const { values: args } = parseArgs({
  options: {
    bin: { type: 'string', default: join(repoRoot, 'target', 'release', 'gala') },
    site: { type: 'string', default: join(repoRoot, 'target', 'site') },
    'before-bin': { type: 'string' },
    'before-site': { type: 'string' },
    runs: { type: 'string', default: '3' },
  },
});
const runs = Math.max(1, Number.parseInt(args.runs, 10) || 3);

/** Network profiles, as Chrome DevTools and Lighthouse define them (throughput in bytes/s). */
const profiles = {
  'fast 4G': { latency: 60, downloadThroughput: (9_000_000 / 8) * 0.9, uploadThroughput: (1_500_000 / 8) * 0.9 },
  'slow 4G': { latency: 150, downloadThroughput: (1_600_000 / 8) * 0.9, uploadThroughput: (750_000 / 8) * 0.9 },
};
const phone = { width: 390, height: 844 };

// Records, in the page itself, when <html data-hydrated> first appears (ms since navigation).
const hydrationProbe = () => {
  const mark = () => {
    if (document.documentElement?.dataset.hydrated === 'true' && window.__galaInteractiveAt === undefined) {
      window.__galaInteractiveAt = performance.now();
    }
  };
  new MutationObserver(mark).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });
};

function kindOf(url, type) {
  const path = new URL(url).pathname;
  if (type === 'Document') return 'html';
  if (path.endsWith('.wasm')) return 'wasm';
  if (type === 'Script' || path.endsWith('.js')) return 'js';
  if (type === 'Stylesheet' || path.endsWith('.css')) return 'css';
  return 'other';
}

/** Loads `url` in a fresh tab of `context` under `profile`; answers bytes by kind and timings. */
async function measure(context, url, profile) {
  const page = await context.newPage();
  await page.setViewportSize(phone);
  await page.addInitScript(hydrationProbe);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, ...profiles[profile] });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const kinds = new Map();
  const bytes = { html: 0, wasm: 0, js: 0, css: 0, other: 0 };
  cdp.on('Network.responseReceived', (e) => kinds.set(e.requestId, kindOf(e.response.url, e.type)));
  cdp.on('Network.loadingFinished', (e) => {
    const kind = kinds.get(e.requestId);
    if (kind) bytes[kind] += e.encodedDataLength;
  });
  await page.goto(url, { waitUntil: 'load', timeout: 120_000 });
  await page.waitForFunction(() => window.__galaInteractiveAt !== undefined, null, { timeout: 120_000 });
  const timings = await page.evaluate(() => ({
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
    interactive: window.__galaInteractiveAt,
  }));
  await page.close();
  return { ...bytes, ...timings };
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** Starts one build, prepares a cart, and measures every page under every profile. */
async function measureBuild(label, bin, siteRoot) {
  const gala = await startGala({ bin, siteRoot });
  const browser = await launchBrowser();
  try {
    const base = gala.baseUrl;
    const listings = await (await fetch(`${base}/api/v1/listings?q=coat`)).json();
    const listingId = listings.items.find((l) => l.available > 0)?.id ?? listings.items[0].id;
    const shows = await (await fetch(`${base}/api/v1/shows`)).json();
    const show = shows.find((s) => s.status === 'live') ?? shows[0];
    const context = await browser.newContext({ viewport: phone, isMobile: true, hasTouch: true });
    // One item in the cart, so /cart and /checkout show their real content.
    const setup = await context.newPage();
    await setup.goto(`${base}/p/${listingId}`);
    await setup.waitForSelector('html[data-hydrated="true"]', { timeout: 60_000 });
    await setup.getByRole('button', { name: 'Add to cart' }).click();
    await setup.getByText('Added to your cart').waitFor({ timeout: 30_000 });
    await setup.close();
    const pages = {
      home: '/',
      search: '/search?q=coat',
      listing: `/p/${listingId}`,
      show: `/show/${show.id}`,
      cart: '/cart',
      checkout: '/checkout',
    };
    const results = [];
    for (const [name, path] of Object.entries(pages)) {
      for (const profile of Object.keys(profiles)) {
        const samples = [];
        for (let i = 0; i < runs; i += 1) samples.push(await measure(context, base + path, profile));
        const figure = (key) => median(samples.map((s) => s[key]));
        results.push({
          label,
          page: name,
          profile,
          html: figure('html'),
          wasm: figure('wasm'),
          js: figure('js'),
          css: figure('css'),
          fcp: figure('fcp'),
          interactive: figure('interactive'),
        });
      }
    }
    return results;
  } finally {
    await browser.close();
    await gala.stop();
  }
}

const builds = [['this build', args.bin, args.site]];
if (args['before-bin'] && args['before-site']) builds.push(['before', args['before-bin'], args['before-site']]);

const all = [];
for (const [label, bin, site] of builds) all.push(...(await measureBuild(label, bin, site)));

const kb = (n) => (n / 1024).toFixed(1);
const ms = (n) => (Number.isFinite(n) ? Math.round(n).toString() : '—');
console.log(`\nPage weight at 390 px, cache off, CPU 4x slower; medians of ${runs} loads; KB as transferred (compressed).\n`);
console.log('| page | network | build | HTML KB | wasm KB | JS KB | CSS KB | wasm+JS KB | first content ms | interactive ms |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
const order = (r) => `${Object.keys(profiles).indexOf(r.profile)}`;
for (const page of [...new Set(all.map((r) => r.page))]) {
  const rows = all.filter((r) => r.page === page).sort((a, b) => order(a).localeCompare(order(b)));
  for (const r of rows) {
    console.log(
      `| ${r.page} | ${r.profile} | ${r.label} | ${kb(r.html)} | ${kb(r.wasm)} | ${kb(r.js)} | ${kb(r.css)} | ${kb(r.wasm + r.js)} | ${ms(r.fcp)} | ${ms(r.interactive)} |`,
    );
  }
}
