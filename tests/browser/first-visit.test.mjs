// A first visit on a slow connection (150 ms round trip, 1.6 Mbit/s, empty cache): the
// home page's news and the offer search's results appear within a budget, after at
// most three rounds of requests one after another (the page; its styles and all its
// JavaScript at once; the APIs at once). Measured before the bundling: nine to ten
// rounds and 2.2–2.4 s. The timings printed are the README's figures' source.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { firstVisit, requestRounds, session } from './support.mjs';

const s = session();

test('rounds: a request follows those that had finished before it started', () => {
  const rounds = requestRounds([
    { url: 'page', start: 0, end: 100 },
    { url: 'css', start: 110, end: 400 },
    { url: 'js', start: 110, end: 200 },
    { url: 'api', start: 250, end: 300 }, // after js, while css still loads: round 3
    { url: 'font', start: 290 }, // the same (it never finished)
    { url: 'next', start: 410 }, // after api: round 4
  ]).map((r) => [r.url, r.round]);
  assert.deepEqual(rounds, [['page', 1], ['css', 2], ['js', 2], ['api', 3], ['font', 3], ['next', 4]]);
});

for (const [path, selector, budget] of [
  ['/', '#ultime-news article', 4000],
  ['/cittadino/offerte/', '#risultati [data-offer]', 4000],
]) {
  test(`${path}: results after at most 3 rounds of requests on a slow connection`, async () => {
    const visit = await firstVisit(s.browser, s.portal.base, path, selector);
    const summary = visit.waterfall.map((r) => `${r.round} ${r.start}–${r.end ?? ''} ${r.url}`).join('\n');
    console.log(`${path}: ${visit.ms} ms, ${visit.rounds} rounds, ${visit.requests} requests\n${summary}`);
    assert.ok(visit.rounds <= 3, `${visit.rounds} rounds:\n${summary}`);
    // generous: the machine running the suite may be busy; the rounds are the real check
    assert.ok(visit.ms < budget, `${visit.ms} ms`);
  });
}
