// /sviluppatori/api/: the page lists every operation of /api/openapi.json, says the open
// data's licence and the limits, and shows an operation's request and answer fields
// from the document's schemas.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { axe, openPage, session, unexpected } from './support.mjs';

const s = session();

test('the developers page lists every operation with its fields', async () => {
  const { context, page, problems, go } = await openPage(s, '/sviluppatori/api/');
  await go();
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
  const doc = await (await page.request.get(`${s.portal.base}/api/openapi.json`)).json();
  const count = Object.values(doc.paths).reduce((n, p) => n + Object.keys(p).length, 0);
  assert.ok(count > 100, `the document has ${count} operations`);
  assert.equal(await page.locator('#api-elenco tbody tr').count(), count, 'one row per operation');
  await assert.doesNotReject(page.getByText(`${count} operazioni`).waitFor());
  await page.getByRole('link', { name: /CC BY 4\.0/ }).waitFor();
  await page.getByText('Retry-After').first().waitFor();

  // the offer search: its answer's fields come from the OfferPage schema
  const row = page.locator('#api-elenco tbody tr').filter({ has: page.locator('code', { hasText: /^\/api\/offers$/ }) });
  assert.equal(await row.count(), 1);
  await row.getByText('Dati').click();
  const answer = row.locator('details');
  for (const field of Object.keys(doc.components.schemas.OfferPage.properties)) {
    assert.ok(await answer.locator('code', { hasText: new RegExp(`^${field}$`) }).count() > 0, `OfferPage.${field} shown`);
  }
  for (const field of Object.keys(doc.components.schemas.OfferSummary.properties)) {
    assert.ok(await answer.locator('code', { hasText: new RegExp(`^${field}$`) }).count() > 0, `OfferSummary.${field} shown, nested under items`);
  }
  assert.deepEqual(await axe(page), [], 'axe-core with an operation open');
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});
