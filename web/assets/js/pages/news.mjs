// /news/: the list of news and events, with paging kept in the address (?pagina=N).

import { getJSON } from '../api.mjs';
import { el, formatDate, pager, showError, showLoading, done } from '../ui.mjs';

const PAGE_SIZE = 6;

export function newsCard(item, headingLevel = 'h2') {
  const kind = item.kind === 'evento' ? 'Evento' : 'News';
  return el('article', { class: 'card-wrapper card-space col-12 col-md-6 col-lg-4' },
    el('div', { class: 'card card-bg no-after' },
      el('div', { class: 'card-body' },
        el('div', { class: 'category-top' },
          el('span', { class: 'category' }, kind),
          el('span', { class: 'data' }, el('time', { datetime: item.published_at }, formatDate(item.published_at)))),
        el(headingLevel, { class: 'card-title h5' },
          el('a', { href: `/news/notizia.html?id=${encodeURIComponent(item.id)}` }, item.title)),
        el('p', { class: 'card-text' }, item.summary),
        el('p', { class: 'card-text small' }, `Fonte: ${item.source}`))));
}

export function init() {
  const container = document.getElementById('elenco-news');
  const pageOf = (search) => Math.max(1, Number.parseInt(new URLSearchParams(search).get('pagina') ?? '1', 10) || 1);
  let page = pageOf(location.search);

  async function load() {
    showLoading(container);
    try {
      const data = await getJSON(`/api/news?page=${page}&page_size=${PAGE_SIZE}`);
      done(container);
      if (data.items.length === 0) {
        container.replaceChildren(el('p', { class: 'alert alert-info' }, 'Non ci sono news da mostrare in questa pagina.'));
      } else {
        container.replaceChildren(
          el('div', { class: 'row' }, data.items.map((i) => newsCard(i))),
          pager({ page, pageSize: PAGE_SIZE, total: data.total, label: 'Pagine delle news', onChange: (p) => {
            page = p;
            history.pushState({ page }, '', `?pagina=${p}`);
            return load();
          } }));
      }
    } catch (e) {
      showError(container, e.message, load);
    }
  }
  // back and forward between pages; a change of the fragment alone (the skip link) is not one
  window.addEventListener('popstate', () => {
    const wanted = pageOf(location.search);
    if (wanted !== page) { page = wanted; load(); }
  });
  load();
}
