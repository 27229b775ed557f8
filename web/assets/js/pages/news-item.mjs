// /news/notizia.html?id=N: one news item.

import { getJSON } from '../api.mjs';
import { el, formatDate, showError, showLoading, done } from '../ui.mjs';

export function init() {
  const container = document.getElementById('notizia');
  const id = new URLSearchParams(location.search).get('id') ?? '';
  async function load() {
    showLoading(container);
    try {
      const item = await getJSON(`/api/news/${encodeURIComponent(id)}`);
      done(container);
      document.title = `${item.title} – Toscana Lavoro`;
      document.querySelector('.breadcrumb-item.active').textContent = item.title;
      container.replaceChildren(
        el('h1', {}, item.title),
        el('p', { class: 'text-muted' },
          `${item.kind === 'evento' ? 'Evento' : 'News'} del `, el('time', { datetime: item.published_at }, formatDate(item.published_at)),
          ` – Fonte: ${item.source}`),
        el('p', { class: 'lead' }, item.summary),
        el('p', {}, item.body),
        el('p', {}, el('a', { href: '/news/' }, 'Torna a News ed eventi')));
    } catch (e) {
      container.replaceChildren(el('h1', {}, 'Notizia'));
      const box = el('div');
      container.append(box);
      showError(box, e.message, e.status >= 500 || e.status === 0 ? load : null);
    }
  }
  load();
}
