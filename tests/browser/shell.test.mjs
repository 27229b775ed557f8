// The portal shell in a real browser: the contrast check itself, the 404 page, the home
// page, the cookie notice, the keyboard and the phone menu. Every page's own checks
// (axe-core, contrast, phone width, primary action) are in pages-*.test.mjs.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { axe, contrastProblems, focused, openPage, screenshot, session } from './support.mjs';

const s = session();
const open = (path, options) => openPage(s, path, options);

describe('every page', () => {
  test('the contrast check catches what axe-core leaves "incomplete": same colours, blended layers', async () => {
    const { context, page, go } = await open('/');
    await go();
    await page.evaluate(() => {
      const main = document.querySelector('main');
      // a blue link on the same blue (the callout bug), and white text on a half-transparent
      // black layer over white (grey: 3.9:1)
      const blue = Object.assign(document.createElement('div'), { id: 'prova-blu' });
      blue.style.backgroundColor = 'rgb(0, 102, 204)';
      const link = Object.assign(document.createElement('a'), { href: '/', textContent: 'Illeggibile' });
      link.style.color = 'rgb(0, 102, 204)';
      blue.append(link);
      const veil = document.createElement('div');
      veil.style.backgroundColor = 'rgba(0, 0, 0, 0.5)';
      const button = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Grigio' });
      button.style.cssText = 'background: transparent; color: #fff; border: 0';
      veil.append(button);
      main.prepend(blue, veil);
    });
    const problems = await contrastProblems(page);
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0], /«Illeggibile».*1\.00:1/);
    assert.match(problems[1], /«Grigio».*3\.9\d:1/);
    await context.close();
  });

  test('a missing page answers 404 with the portal layout', async () => {
    const { context, page, problems } = await open('/pagina-inesistente');
    page.__expect404 = true;
    const response = await page.goto(s.portal.base + '/pagina-inesistente', { waitUntil: 'networkidle' });
    assert.equal(response.status(), 404);
    assert.equal(await page.locator('h1').textContent(), 'Pagina non trovata');
    assert.deepEqual(await axe(page), []);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('home page', () => {
  test('shows the four sections, the latest news and the useful links', async () => {
    const { context, page, go } = await open('/');
    await go();
    for (const name of ['Cittadino', 'Azienda', 'Agenzia per il lavoro', 'Professionista']) {
      assert.equal(await page.locator('#sezioni ~ ul a', { hasText: name }).count(), 1, name);
    }
    await page.locator('#ultime-news article').first().waitFor();
    assert.equal(await page.locator('#ultime-news article').count(), 3);
    assert.match(await page.locator('#ultime-news time').first().textContent(), /^\d{2}\/\d{2}\/\d{4}$/);
    const external = page.locator('#servizi-utili ~ ul a');
    assert.equal(await external.count(), 6);
    for (const a of await external.all()) {
      assert.equal(await a.getAttribute('target'), '_blank');
      assert.match(await a.getAttribute('rel'), /noopener/);
    }
    await context.close();
  });

  test('the offer search in the hero leads to the results of those words', async () => {
    const { context, page, problems, go } = await open('/');
    await go();
    await page.getByLabel('Che lavoro cerchi?').fill('cuoc');
    await page.getByRole('button', { name: 'Cerca offerte' }).click();
    await page.waitForURL(/\/cittadino\/offerte\/\?q=cuoc$/);
    await page.locator('#risultati [data-offer]').first().waitFor();
    assert.equal(await page.getByLabel('Descrizione qualifica').inputValue(), 'cuoc');
    for (const cell of await page.locator('#risultati [data-offer] th').allTextContents()) assert.match(cell.toLowerCase(), /cuoc/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the news list pages "1 of N" and keeps the page in the address', async () => {
    const { context, page, go } = await open('/news/');
    await go();
    await page.getByText('Pagina 1 di 2').waitFor();
    await page.getByRole('button', { name: 'Pagina successiva' }).click();
    await page.getByText('Pagina 2 di 2').waitFor();
    assert.ok(page.url().endsWith('?pagina=2'));
    assert.equal(await page.locator('#elenco-news article').count(), 6);
    assert.ok(await page.getByRole('button', { name: 'Pagina successiva' }).isDisabled());
    await context.close();
  });

  test('an unknown news item shows the API\'s Italian message', async () => {
    const { context, page, go } = await open('/news/notizia.html?id=9999');
    await go();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').textContent(), /La notizia richiesta non esiste/);
    await context.close();
  });
});

describe('cookie notice', () => {
  test('login works only after accepting technical cookies, and the choice is remembered', async () => {
    const { context, page, problems, go } = await open('/', { consent: false });
    await go();
    const notice = page.locator('[data-cookie-notice]');
    assert.ok(await notice.isVisible(), 'the notice is shown on the first visit');
    assert.deepEqual(await axe(page), []);

    await page.locator('header').getByRole('link', { name: 'Accedi' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal(new URL(page.url()).pathname, '/', 'login is blocked before consent');
    assert.match(await page.getByRole('alert').textContent(), /accettare i cookie tecnici/);
    assert.ok(await page.getByRole('button', { name: /Accetto/ }).evaluate((b) => b === document.activeElement));

    await page.getByRole('button', { name: /Accetto/ }).click();
    await notice.waitFor({ state: 'hidden' });
    // the focus goes back to the login link that was held back, not to the page's body
    assert.match(await focused(page), /^a «Accedi»/);
    const cookie = (await context.cookies()).find((c) => c.name === 'tl_consent');
    assert.equal(cookie?.value, '1');
    assert.ok(cookie.expires > Date.now() / 1000 + 150 * 86400, 'remembered for months');

    await page.reload({ waitUntil: 'networkidle' });
    assert.ok(!(await notice.isVisible()), 'not asked again');
    await page.locator('header').getByRole('link', { name: 'Accedi' }).click();
    await page.waitForURL('**/accedi/');
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('keyboard and phone', () => {
  test('Accetto on the cookie notice leaves the focus in the page, not on its body', async () => {
    const { context, page, go } = await open('/', { consent: false });
    await go();
    await page.getByRole('button', { name: /Accetto/ }).focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-cookie-notice]').waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'contenuto');
    await context.close();
  });

  for (const path of ['/cittadino/offerte/', '/news/?pagina=2']) {
    test(`${path}: the skip link moves the focus to the content, and the page stays as it is`, async () => {
      const { context, page, go } = await open(path);
      await go();
      await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
      let requests = 0;
      page.on('request', (r) => { if (r.url().includes('/api/')) requests += 1; });
      await page.keyboard.press('Tab');
      assert.equal(await page.locator(':focus').textContent(), 'Vai al contenuto');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.activeElement?.id === 'contenuto');
      assert.ok(new URL(page.url()).hash === '#contenuto');
      assert.equal(requests, 0, 'no reload, no new search');
      await context.close();
    });
  }

  test('the news pager keeps the focus on the pager', async () => {
    const { context, page, go } = await open('/news/');
    await go();
    await page.getByRole('button', { name: 'Pagina successiva' }).click();
    await page.getByText('Pagina 2 di 2').waitFor();
    // the last page: "Successiva" is disabled, the focus is on "Precedente"
    await page.waitForFunction(() => document.activeElement?.dataset.dir === 'prev');
    await page.keyboard.press('Enter');
    await page.getByText('Pagina 1 di 2').waitFor();
    await page.waitForFunction(() => document.activeElement?.dataset.dir);
    assert.notEqual(await focused(page), 'BODY');
    await context.close();
  });

  test('the skip link is the first stop and moves focus to the content', async () => {
    const { context, page, go } = await open('/cittadino/');
    await go();
    await page.keyboard.press('Tab');
    const focused = page.locator(':focus');
    assert.equal(await focused.textContent(), 'Vai al contenuto');
    assert.ok(await focused.isVisible());
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'contenuto');
    await context.close();
  });

  test('on a phone the main menu opens from the menu button', async () => {
    const { context, page, problems, go } = await open('/', { viewport: { width: 375, height: 800 } });
    await go();
    const menu = page.locator('#menu-principale');
    assert.ok(!(await menu.getByRole('link', { name: 'Cittadino' }).isVisible()));
    await page.getByRole('button', { name: 'Mostra o nascondi il menu' }).click();
    await menu.getByRole('link', { name: 'Cittadino' }).waitFor({ state: 'visible' });
    assert.deepEqual(await axe(page), []);
    await screenshot(page, 'home-phone-menu');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
