// The page layout, written once: header, breadcrumbs, section menu, footer and the
// cookie notice. Every generated page goes through `page()`.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { site, sections, areas, mainNav, legalLinks, links } from './site.mjs';

const partialsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'partials');

export const esc = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

let vendor = '';
export const setVendorPath = (p) => { vendor = p; };
// The sprite with the icons the portal uses (build.mjs: a subset of Bootstrap Italia's).
let sprite = '';
export const setIconSprite = (url) => { sprite = url; };

export const icon = (name, cls = '') =>
  `<svg class="icon ${cls}" aria-hidden="true" focusable="false"><use href="${sprite}#${name}"></use></svg>`;

/** The page's module scripts (main, then the page's own), every file they run preloaded. */
function scripts(meta, modules) {
  if (!modules) throw new Error('page(): config.modules (the bundle) is missing');
  const own = meta.page ? modules.pages[meta.page] : [];
  if (!own) throw new Error(`page module ${meta.page} not found in web/assets/js/pages/`);
  const preload = [...new Set([...modules.main, ...own])]
    .map((url) => `\n  <link rel="modulepreload" href="${url}">`).join('');
  return `${preload}
  <script type="module" src="${modules.main[0]}"></script>${own.length ? `\n  <script type="module" src="${own[0]}"></script>` : ''}`;
}

const NEW_TAB = '<span class="visually-hidden">(si apre in una nuova finestra)</span>';

/** A link; external ones open in a new tab and say so to screen readers. */
export const link = ({ href, external }, inner, cls = '') =>
  external
    ? `<a class="${cls}" href="${esc(href)}" target="_blank" rel="noopener noreferrer">${inner} ${NEW_TAB}</a>`
    : `<a class="${cls}" href="${esc(href)}">${inner}</a>`;

function header(current) {
  const nav = mainNav
    .map((item) => {
      const active = item.href === current;
      return `<li class="nav-item"><a class="nav-link${active ? ' active' : ''}" href="${item.href}"${active ? ' aria-current="page"' : ''}><span>${esc(item.title)}</span></a></li>`;
    })
    .join('\n');
  return `
<div class="skiplinks"><a class="visually-hidden-focusable" href="#contenuto">Vai al contenuto</a><a class="visually-hidden-focusable" href="#footer">Vai al piè di pagina</a></div>
<header class="it-header-wrapper">
  <div class="it-header-slim-wrapper">
    <div class="container"><div class="row"><div class="col-12">
      <div class="it-header-slim-wrapper-content">
        ${link({ href: site.region.href, external: true }, esc(site.region.name), 'd-lg-block navbar-brand')}
        <div class="it-header-slim-right-zone" data-user-zone>
          <a class="btn btn-primary btn-sm" href="/accedi/" data-requires-consent>Accedi</a>
          <a class="btn btn-outline-light btn-sm ms-2" href="/registrati/" data-requires-consent>Registrati</a>
        </div>
      </div>
    </div></div></div>
  </div>
  <div class="it-nav-wrapper">
    <div class="it-header-center-wrapper">
      <div class="container"><div class="row"><div class="col-12">
        <div class="it-header-center-content-wrapper">
          <div class="it-brand-wrapper">
            <a href="/">
              ${icon('it-pa')}
              <div class="it-brand-text">
                <div class="it-brand-title">${esc(site.name)}</div>
                <div class="it-brand-tagline d-none d-md-block">${esc(site.tagline)}</div>
              </div>
            </a>
          </div>
        </div>
      </div></div></div>
    </div>
    <div class="it-header-navbar-wrapper">
      <div class="container"><div class="row"><div class="col-12">
        <nav class="navbar navbar-expand-lg" aria-label="Menu principale">
          <button class="custom-navbar-toggler" type="button" aria-controls="menu-principale" aria-expanded="false" aria-label="Mostra o nascondi il menu" data-bs-toggle="navbarcollapsible" data-bs-target="#menu-principale">${icon('it-burger')}</button>
          <div class="navbar-collapsable" id="menu-principale">
            <div class="overlay fade"></div>
            <div class="close-div"><button class="btn close-menu" type="button"><span class="visually-hidden">Chiudi il menu</span>${icon('it-close-big')}</button></div>
            <div class="menu-wrapper">
              <ul class="navbar-nav">
${nav}
              </ul>
            </div>
          </div>
        </nav>
      </div></div></div>
    </div>
  </div>
</header>`;
}

function breadcrumb(crumbs) {
  if (!crumbs || crumbs.length === 0) return '';
  const items = [['Toscana Lavoro', '/'], ...crumbs]
    .map(([label, href], i, all) =>
      i === all.length - 1
        ? `<li class="breadcrumb-item active" aria-current="page">${esc(label)}</li>`
        : `<li class="breadcrumb-item"><a href="${esc(href)}">${esc(label)}</a><span class="separator">/</span></li>`,
    )
    .join('');
  return `<nav class="breadcrumb-container" aria-label="Percorso di navigazione"><ol class="breadcrumb">${items}</ol></nav>`;
}

/** ` data-staff="operator|admin"` for a service of the back office that needs that role (staff.mjs shows it). */
const staffAttr = (item) => (item.staff ? ` data-staff="${esc(item.staff)}"` : '');

/**
 * A personal area's own menu, as a row of links above the page's heading (the back
 * office's pages are wide tables and forms): the area's landing, then its services;
 * `current` is the page's address (aria-current).
 */
export function areaNav(key, current) {
  const a = areas[key];
  if (!a) throw new Error(`unknown area ${key}`);
  const item = (href, title, attrs = '') => {
    const here = href === current;
    return `<li class="nav-item"${attrs}><a class="nav-link${here ? ' active' : ''}" href="${esc(href)}"${here ? ' aria-current="page"' : ''}>${esc(title)}</a></li>`;
  };
  return `<nav class="area-nav mb-3" aria-label="Menu dell'${esc(a.title.toLocaleLowerCase('it-IT'))}"><ul class="nav">${item(a.href, a.title)}${a.menu
    .filter((i) => i.href).map((i) => item(i.href, i.title, staffAttr(i))).join('')}</ul></nav>`;
}

/** The mark of a service that is not available yet, the same everywhere. */
export const COMING = '<span class="badge coming-soon ms-1">In arrivo</span>';

/** The menu of a section or of a personal area, as cards (the manual's "menù di destra"). */
export function sectionMenu(key, headingLevel = 2) {
  const s = sections[key] ?? areas[key];
  if (!s) throw new Error(`unknown section ${key}`);
  const h = `h${headingLevel}`;
  const cards = s.menu
    .map((item) => {
      const title = item.href
        ? link(item, esc(item.title))
        : `${esc(item.title)} ${COMING}`;
      return `<li class="col-12 col-md-6 col-lg-12 mb-3"${staffAttr(item)}><div class="card card-bg card-big-lg-none no-after rounded shadow-sm"><div class="card-body">
  <${h} class="card-title h5">${title}</${h}>
  <p class="card-text">${esc(item.text)}</p></div></div></li>`;
    })
    .join('\n');
  return `<nav aria-label="Servizi della sezione ${esc(s.title)}"><${h} class="visually-hidden">Servizi</${h}><ul class="row list-unstyled">${cards}</ul></nav>`;
}

/** A phone number as a tel: link (digits only in the address). */
const tel = (number) => `<a href="tel:${esc(number.replace(/[^\d+]/g, ''))}">${esc(number)}</a>`;
/** A mailto: link, with a subject. */
export const mailto = (address, subject) => `<a href="mailto:${esc(address)}${subject ? `?subject=${encodeURIComponent(subject)}` : ''}">${esc(address)}</a>`;

/**
 * How to get help, in one sentence: the toll-free number and its hours when the
 * deployment has set one, else the support address. Footer, section pages, Assistenza.
 */
export function helpText(config) {
  const { number, hours } = config.helpLine;
  return number
    ? `Per problemi tecnici di accesso e funzionamento del portale chiama il numero verde ${tel(number)}, ${esc(hours)}, oppure scrivi a ${mailto(config.contacts.support, 'Assistenza Toscana Lavoro')}.`
    : `Per problemi tecnici di accesso e funzionamento del portale scrivi all'assistenza: ${mailto(config.contacts.support, 'Assistenza Toscana Lavoro')}.`;
}

function footer(config) {
  const sectionLinks = Object.values(sections)
    .map((s) => `<li><a href="${s.href}">${esc(s.title)}</a></li>`)
    .join('');
  const legal = legalLinks
    .map((l) => `<li class="list-inline-item"><a href="${l.href}">${esc(l.title)}</a></li>`)
    .join('');
  return `
<footer class="it-footer" id="footer">
  <div class="it-footer-main">
    <div class="container">
      <div class="row"><div class="col-12 py-4">
        <div class="it-brand-wrapper"><a href="/">${icon('it-pa')}<div class="it-brand-text"><div class="it-brand-title">${esc(site.name)}</div><div class="it-brand-tagline">${esc(site.tagline)}</div></div></a></div>
      </div></div>
      <div class="row pb-4">
        <div class="col-lg-4 col-md-6 pb-3">
          <h2 class="h5 footer-heading-title">Assistenza tecnica</h2>
          ${config.helpLine.number ? `<p class="mb-1"><strong>Numero verde ${tel(config.helpLine.number)}</strong></p>` : ''}
          <p class="mb-1">${helpText(config)}</p>
          <p><a href="/assistenza/">Tutti i contatti dell'assistenza</a></p>
        </div>
        <div class="col-lg-4 col-md-6 pb-3">
          <h2 class="h5 footer-heading-title">Sezioni</h2>
          <ul class="footer-list">${sectionLinks}<li><a href="/news/">News ed eventi</a></li></ul>
        </div>
        <div class="col-lg-4 col-md-6 pb-3">
          <h2 class="h5 footer-heading-title">Gestito da</h2>
          <ul class="footer-list">
            <li>${link({ href: site.region.href, external: true }, esc(site.region.name))}</li>
            <li>${link({ href: site.agency.href, external: true }, esc(site.agency.name))}</li>
          </ul>
        </div>
      </div>
    </div>
  </div>
  <div class="it-footer-small-prints clearfix">
    <div class="container">
      <ul class="it-footer-small-prints-list list-inline mb-0 d-flex flex-column flex-md-row" aria-label="Informazioni legali">${legal}</ul>
    </div>
  </div>
</footer>`;
}

const cookieNotice = `
<div class="cookiebar" role="region" aria-label="Informativa sui cookie" data-cookie-notice>
  <p>Questo sito usa solo <strong>cookie tecnici</strong>, necessari al suo funzionamento e all'accesso ai servizi; non usa cookie di profilazione.
  Per accedere all'area riservata è necessario accettarli. <a href="/privacy/#cookie">Leggi l'informativa</a>.</p>
  <div class="cookiebar-buttons"><button type="button" class="cookiebar-btn cookiebar-confirm" data-consent-accept>Accetto<span class="visually-hidden"> i cookie tecnici</span></button></div>
</div>`;

/**
 * A whole page. `meta`: title, description, breadcrumb, section (menu at the side),
 * page (a JS module name under /js/pages/), nav (the main-menu entry to highlight),
 * wide (no side menu even in a section), heading (false: the body has its own h1),
 * areaNav (an area's key: its menu as a row of links, `url` the page's own address).
 */
export function page(meta, body, config) {
  const current = meta.nav ?? (meta.section ? sections[meta.section]?.href ?? null : null);
  const h1 = meta.heading === false ? '' : `<h1>${esc(meta.title)}</h1>`;
  // public section pages and the home page point a signed-in person to their area (session.mjs)
  const hint = meta.section in sections || meta.nav === '/' ? '<div data-area-hint></div>' : '';
  const main = meta.section && !meta.wide
    ? `<div class="row"><div class="col-lg-8">${h1}${hint}${body}</div><div class="col-lg-4">${sectionMenu(meta.section)}</div></div>`
    : `${h1}${hint}${body}`;
  const title = meta.title === site.name ? site.name : `${meta.title} – ${site.name}`;
  return `<!doctype html>
<html lang="it">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${esc(title)}</title>
  <meta name="description" content="${esc(meta.description ?? site.tagline)}">
  <link rel="stylesheet" href="${vendor}/css/bootstrap-italia.min.css">
  <link rel="stylesheet" href="/css/fonts.css">
  <link rel="stylesheet" href="/css/site.css">
  <link rel="icon" href="/img/favicon.svg" type="image/svg+xml">${meta.head ?? ''}${scripts(meta, config.modules)}
</head>
<body data-icons="${sprite}"${meta.page ? ` data-page="${esc(meta.page)}"` : ''}>
${header(current)}
<main id="contenuto" class="container my-4" tabindex="-1">
${breadcrumb(meta.breadcrumb)}${meta.areaNav ? `\n${areaNav(meta.areaNav, meta.url)}` : ''}
${main}
</main>
${footer(config)}
${cookieNotice}
</body>
</html>
`;
}

/** The four sections, as cards (home page). */
export function sectionCards() {
  return `<ul class="row list-unstyled">${Object.values(sections)
    .map((s) => `<li class="col-12 col-md-6 col-lg-3 mb-3"><div class="card card-bg section-card rounded shadow-sm h-100"><div class="card-body">
  ${icon(s.icon, 'icon-primary icon-lg mb-2')}
  <h3 class="card-title h5"><a href="${s.href}">${esc(s.title)}</a></h3>
  <p class="card-text">${esc(s.text)}</p></div></div></li>`)
    .join('\n')}</ul>`;
}

/** National and regional services (home page), opening in a new tab. */
export function usefulLinks(keys) {
  return `<ul class="row list-unstyled">${keys
    .map((k) => links[k])
    .map((l) => `<li class="col-12 col-md-6 col-lg-4 mb-3"><div class="card card-bg rounded shadow-sm h-100"><div class="card-body">
  <h3 class="card-title h5">${link({ ...l, external: true }, esc(l.title))}</h3>
  <p class="card-text">${esc(l.text)}</p></div></div></li>`)
    .join('\n')}</ul>`;
}

/**
 * A personal area's landing: what the person can do now (cards linking each service)
 * and, marked "In arrivo", what is coming.
 */
export function areaCards(key) {
  const a = areas[key];
  if (!a) throw new Error(`unknown area ${key}`);
  // the first service is the page's primary action
  const card = (item, i) => `<li class="col-12 col-md-6 col-lg-4 mb-3"${staffAttr(item)}><div class="card card-bg rounded shadow-sm h-100"><div class="card-body">
  <h3 class="card-title h5">${item.href ? link(item, esc(item.title)).replace('<a ', i === 0 ? '<a data-primary ' : '<a ') : `${esc(item.title)} ${COMING}`}</h3>
  <p class="card-text">${esc(item.text)}</p></div></div></li>`;
  const now = a.menu.filter((i) => i.href);
  const coming = a.menu.filter((i) => !i.href);
  return `<section aria-labelledby="area-ora" class="mb-4"><h2 id="area-ora" class="h4">Cosa puoi fare</h2>
<ul class="row list-unstyled">${now.map(card).join('\n')}</ul></section>${coming.length ? `
<section aria-labelledby="area-in-arrivo" class="mb-4"><h2 id="area-in-arrivo" class="h4">In arrivo</h2>
<p>Questi servizi non sono ancora disponibili sul portale: li troverai qui appena saranno attivi.</p>
<ul class="row list-unstyled">${coming.map((c) => card(c, -1)).join('\n')}</ul></section>` : ''}`;
}

/** The services of an area as a plain list (public section pages): available ones, then those to come. */
export function areaServices(key) {
  const a = areas[key];
  if (!a) throw new Error(`unknown area ${key}`);
  const item = (i) => `<li>${i.href ? `${link(i, esc(i.title))}: ` : `${esc(i.title)} ${COMING}: `}${esc(i.text.charAt(0).toLocaleLowerCase('it-IT') + i.text.slice(1))}</li>`;
  return `<ul class="area-services">${a.menu.filter((i) => i.href).map(item).join('')}${a.menu.filter((i) => !i.href).map(item).join('')}</ul>`;
}

/**
 * Blocks a page body may embed with an HTML comment; `<!--include:name-->` inserts
 * web/partials/name.html (form parts several pages share). `<!--block:help-->` is how
 * to get help (helpText), `<!--block:area:KEY-->` an area's landing cards,
 * `<!--block:area-services:KEY-->` its services as a list.
 */
export function expandBlocks(body, config) {
  return body
    .replace(/<!--block:area:([a-z-]+)-->/g, (_, key) => areaCards(key))
    .replace(/<!--block:area-services:([a-z-]+)-->/g, (_, key) => areaServices(key))
    .replace(/<!--block:help-->/g, () => helpText(config))
    .replace(/<!--block:spid-icon-->/g, () => `<img class="spid-button-icon" src="${esc(config.spidIcon ?? '')}" alt="" width="29" height="29">`)
    .replace(/<!--block:contact:(support|accessibility)-->/g, (_, which) => mailto(config.contacts[which], which === 'accessibility' ? 'Segnalazione sull\'accessibilità di Toscana Lavoro' : 'Assistenza Toscana Lavoro'))
    .replace('<!--block:sections-->', sectionCards())
    .replace('<!--block:useful-links-->', usefulLinks(['eures', 'giovanisi', 'trio', 'catalogo', 'arti', 'cliclavoro']))
    .replace(/<!--include:([a-z0-9-]+)-->/g, (_, name) => fs.readFileSync(path.join(partialsDir, `${name}.html`), 'utf8'));
}
