// Benchmark (not a test): a first visit with an empty cache on a slow connection
// (SLOW_NETWORK: 150 ms round trip, 1.6 Mbit/s), median of 5 runs: the time until the
// page shows its results, the requests made until then and how many rounds of
// requests one after another they took. `--waterfall` prints each request's round.
// Run after scripts/test: `node tests/browser/first-visit.mjs [--waterfall] [/path selector ...]`.

import { firstVisit, launch, startPortal } from './support.mjs';

export const PAGES = [
  ['/', '#ultime-news article'],
  ['/cittadino/offerte/', '#risultati [data-offer]'],
  ['/news/', '#elenco-news article'],
];

const args = process.argv.slice(2);
const waterfall = args.includes('--waterfall');
const rest = args.filter((a) => a !== '--waterfall');
const pages = rest.length ? rest.reduce((acc, a, i) => (i % 2 === 0 ? [...acc, [a, rest[i + 1]]] : acc), []) : PAGES;

const portal = await startPortal();
const browser = await launch();
try {
  console.log('| page | time to results (median of 5) | requests until then | rounds of requests | transferred |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [path, selector] of pages) {
    const runs = [];
    for (let i = 0; i < 5; i += 1) runs.push(await firstVisit(browser, portal.base, path, selector));
    runs.sort((a, b) => a.ms - b.ms);
    const m = runs[2];
    console.log(`| \`${path}\` | ${(m.ms / 1000).toFixed(2)} s | ${m.requests} | ${m.rounds} | ${(m.bytes / 1024).toFixed(0)} KB |`);
    if (waterfall) for (const r of m.waterfall) console.log(`    ${r.round}  ${String(r.start).padStart(5)}–${String(r.end ?? '').padStart(5)} ms  ${r.url}`);
  }
} finally {
  await browser.close();
  portal.stop();
}
