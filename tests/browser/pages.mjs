// Every page, without a session, on a computer and on a 390 px phone: it loads with no
// console errors and no failed requests, has one h1 and lang="it", passes axe-core
// (WCAG 2.1 A/AA) and the contrast check (contrastProblems), has no horizontal
// scrolling, and its primary action ([data-primary]) is within the screen and not
// covered. The pages are split over two files (pages-*.test.mjs) to keep each short.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { PHONE, axe, contrastProblems, fitsWidth, openPage, primaryReachable, screenshot, unexpected } from './support.mjs';

/**
 * The checks of every page of `pages`: [path, screenshot name or null, has a primary
 * action, HTTP statuses its own requests may expect (e.g. a link's token refused)].
 */
export function everyPage(s, pages) {
  describe('every page', () => {
    for (const [path, shot, primary, expected = []] of pages) {
      test(`${path}: loads cleanly, passes axe-core and the contrast check, on a computer and on a phone`, async () => {
        const { context, page, problems, go } = await openPage(s, path);
        const response = await go();
        assert.equal(response.status(), 200);
        assert.equal(await page.locator('html').getAttribute('lang'), 'it');
        assert.equal(await page.locator('h1').count(), 1, 'one h1 per page');
        assert.ok((await page.title()).includes('Toscana Lavoro'));
        await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
        assert.deepEqual(await axe(page), []);
        assert.deepEqual(await contrastProblems(page), []);
        if (shot) await screenshot(page, shot);
        // a phone: nothing wider than the screen, the primary action reachable
        await page.setViewportSize(PHONE);
        await fitsWidth(page);
        if (primary) await primaryReachable(page);
        assert.deepEqual(await axe(page), [], 'axe-core on a phone');
        assert.deepEqual(await contrastProblems(page), [], 'contrast on a phone');
        if (shot) await screenshot(page, `${shot}-telefono`);
        assert.deepEqual(unexpected(problems, expected), []);
        await context.close();
      });
    }
  });
}
