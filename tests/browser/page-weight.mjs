// Benchmark (not a test): what a first visit to a page costs a browser with an empty
// cache: requests, bytes transferred, and time to the load event, median of 5 runs.
// Run after scripts/test: `node tests/browser/page-weight.mjs [/path ...]`.

import { launch, startPortal } from './support.mjs';

const paths = process.argv.slice(2).length ? process.argv.slice(2) : ['/', '/cittadino/', '/news/'];
const portal = await startPortal();
const browser = await launch();
try {
  console.log('| page | requests | transferred | load event (median of 5) |');
  console.log('| --- | --- | --- | --- |');
  for (const path of paths) {
    const times = [];
    let requests = 0;
    let bytes = 0;
    for (let run = 0; run < 5; run += 1) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      let count = 0;
      let size = 0;
      cdp.on('Network.loadingFinished', (e) => { count += 1; size += e.encodedDataLength; });
      const t = Date.now();
      await page.goto(portal.base + path, { waitUntil: 'load' });
      times.push(Date.now() - t);
      await page.waitForLoadState('networkidle');
      [requests, bytes] = [count, size];
      await context.close();
    }
    times.sort((a, b) => a - b);
    console.log(`| \`${path}\` | ${requests} | ${(bytes / 1024).toFixed(0)} KB | ${times[2]} ms |`);
  }
} finally {
  await browser.close();
  portal.stop();
}
