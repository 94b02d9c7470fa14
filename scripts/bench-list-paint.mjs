// First paint and filter latency of the UI's longest list, in headless Chromium, against a
// running `sextant serve` (BENCHMARKS.md, "Live clusters at scale"; scripts/bench-scale.sh
// starts the fleet and the server, then runs this).
//
//   node scripts/bench-list-paint.mjs URL
//
// Opens the Routes view of the whole fleet, whose diagnostics table holds one row per route
// that names a missing Gateway, and reports: the time from the click on "Routes" to the first
// rows of that table on screen, the rows it holds, the rows rendered (virtualized), and the
// time from typing a filter to the filtered count on screen. Median of 5 runs each.
import { chromium } from 'playwright-core';

const url = process.argv[2];
if (!url) throw new Error('usage: node scripts/bench-list-paint.mjs URL');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await page.goto(url);
await page.locator('[data-testid="platform-name"]').waitFor({ timeout: 60000 });

const table = '[data-testid="gateway-diagnostics"]';
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const paints = [];
const filters = [];
let rows = '', rendered = 0;
for (let run = 0; run < 5; run++) {
  await page.locator('[data-testid="nav-overview"]').click();
  await page.locator('[data-testid="view-overview"]').waitFor();
  await page.fill('[data-testid="view-filter"]', '');
  const start = Date.now();
  await page.locator('[data-testid="nav-routes"]').click();
  await page.locator(`${table} tbody tr:not(.spacer)`).nth(2).waitFor({ timeout: 60000 });
  paints.push(Date.now() - start);
  rows = await page.locator(`[data-testid="gateway-diagnostics-count"]`).innerText();
  rendered = await page.locator(`${table} tbody tr:not(.spacer)`).count();

  const before = rows;
  const typed = Date.now();
  await page.fill('[data-testid="view-filter"]', 'app-1234');
  await page.waitForFunction(
    ([selector, previous]) => document.querySelector(selector)?.innerText !== previous,
    ['[data-testid="gateway-diagnostics-count"]', before],
    { timeout: 60000 },
  );
  filters.push(Date.now() - typed);
}
const filtered = await page.locator(`[data-testid="gateway-diagnostics-count"]`).innerText();
console.log(`diagnostics rows:   ${rows} (rendered ${rendered})`);
console.log(`first paint:        ${median(paints)} ms (click on Routes to rows on screen; runs ${paints.join(', ')})`);
console.log(`filter 'app-1234':  ${median(filters)} ms (${filtered} rows; runs ${filters.join(', ')})`);
await browser.close();
