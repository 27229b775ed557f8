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
