// Home: the latest news and events.

import { getJSON } from '../api.mjs';
import { el, showError, showLoading, done } from '../ui.mjs';
import { newsCard } from './news.mjs';

export function init() {
  const container = document.getElementById('ultime-news');
  async function load() {
    showLoading(container);
    try {
      const data = await getJSON('/api/news?page=1&page_size=3');
      done(container);
      container.replaceChildren(el('div', { class: 'row' }, data.items.map((i) => newsCard(i, 'h3'))));
    } catch (e) {
      showError(container, e.message, load);
    }
  }
  load();
}
