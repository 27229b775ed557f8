// Unit tests of the UI's pure helpers (dates, pager), run by node without a browser.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatDate, pageCount, parseDate } from '../../web/assets/js/ui.mjs';

test('dates are shown as dd/mm/yyyy in Europe/Rome', () => {
  assert.equal(formatDate('2026-11-20'), '20/11/2026');
  assert.equal(formatDate('2026-12-31T23:30:00Z'), '01/01/2027', 'UTC evening is the next day in Rome');
  assert.equal(formatDate(''), '');
  assert.equal(formatDate('not a date'), '');
});

test('dd/mm/yyyy input is parsed strictly', () => {
  assert.equal(parseDate('05/03/2026'), '2026-03-05');
  assert.equal(parseDate(' 5/3/2026 '), '2026-03-05');
  assert.equal(parseDate('29/02/2024'), '2024-02-29');
  for (const bad of ['29/02/2026', '31/04/2026', '00/01/2026', '12/13/2026', '2026-03-05', '5-3-2026', '', null]) {
    assert.equal(parseDate(bad), null, String(bad));
  }
});

test('page count', () => {
  assert.equal(pageCount(0, 10), 1);
  assert.equal(pageCount(10, 10), 1);
  assert.equal(pageCount(11, 10), 2);
});

test('a sentence ends with one full stop, also after a name that ends with one', async () => {
  const { sentence } = await import('../../web/assets/js/ui.mjs');
  assert.equal(sentence('Hai revocato l\'incarico per ACME S.R.L.'), 'Hai revocato l\'incarico per ACME S.R.L.');
  assert.equal(sentence('Hai revocato l\'incarico per GPI S.P.A'), 'Hai revocato l\'incarico per GPI S.P.A.');
  assert.equal(sentence('Fatto!'), 'Fatto!');
});

test('the offer search of an address: known filters only, defaults and page 1 left out', async () => {
  const { searchOf } = await import('../../web/assets/js/pages/offers.mjs');
  assert.equal(searchOf('?q=cuoc&sort=deadline&page_size=10&page=1&x=1').toString(), 'q=cuoc');
  assert.equal(searchOf('?province=048&region=09&page=3&sort=newest').toString(), 'region=09&province=048&sort=newest&page=3');
  assert.equal(searchOf('').toString(), '');
});
