/*
 * basket-live.js: the shop's pages follow basket changes made elsewhere (a payment app, another
 * tab) without a reload. An integration announces them with DOM events on `document`:
 *   inpost:count-changed   detail {count}  -> the header's basket count
 *   inpost:basket-changed                  -> the basket page, re-rendered from its fragment
 * The shop owns its elements; the integration's scripts never touch them.
 */
(() => {
  'use strict';

  function showCount(count) {
    if (typeof count !== 'number') return;
    document.querySelectorAll('[data-basket-count]').forEach((node) => { node.textContent = String(count); });
    document.querySelectorAll('.basket-link').forEach((link) => link.setAttribute('aria-label', `Koszyk, produktów: ${count}`));
  }

  // The basket page shows the basket from its fragment URL. The slot holding an integration's
  // button is left where it is (its siblings are swapped around it): moving the element would
  // make a payment widget start over.
  let rendering = null;
  let renderAgain = false;

  // A redraw that would show the version the page already shows is skipped, so a late or
  // repeated event never wipes what the shopper is typing.
  function renderBasket() {
    const main = document.getElementById('basket-main');
    if (!main || !main.dataset.basketFragmentUrl) return Promise.resolve();
    if (rendering) { renderAgain = true; return rendering; }
    rendering = fetch(main.dataset.basketFragmentUrl, { credentials: 'same-origin', cache: 'no-store' })
      .then((response) => {
        if (!response.ok) throw new Error(`basket fragment: HTTP ${response.status}`);
        return response.text();
      })
      .then((html) => swapBasket(main, html))
      .catch((error) => console.warn('[shop] basket not refreshed', error))
      .finally(() => {
        rendering = null;
        if (renderAgain) { renderAgain = false; renderBasket(); }
      });
    return rendering;
  }

  function swapBasket(main, html) {
    const template = document.createElement('template');
    template.innerHTML = html.trim(); // the shop's own template, escaped by Jinja
    const fresh = template.content.getElementById('basket-main');
    if (!fresh) return;
    if (fresh.dataset.basketVersion === main.dataset.basketVersion) return;
    main.dataset.basketVersion = fresh.dataset.basketVersion || '';
    const oldSlot = main.querySelector('.basket-summary .izi-slot');
    const newSlot = fresh.querySelector('.basket-summary .izi-slot');
    const oldLines = main.querySelector('.basket-lines');
    const newLines = fresh.querySelector('.basket-lines');
    if (oldSlot && newSlot && oldLines && newLines) {
      oldLines.replaceWith(newLines);
      const aside = oldSlot.parentElement;
      [...aside.childNodes].forEach((node) => { if (node !== oldSlot) node.remove(); });
      let before = true;
      [...newSlot.parentElement.childNodes].forEach((node) => {
        if (node === newSlot) { before = false; return; }
        if (before) oldSlot.before(node);
        else aside.append(node);
      });
    } else {
      main.replaceChildren(...fresh.childNodes);
    }
    document.dispatchEvent(new CustomEvent('izi-basket-rendered'));
  }

  document.addEventListener('inpost:count-changed', (event) => showCount(event.detail && event.detail.count));
  document.addEventListener('inpost:basket-changed', () => { renderBasket(); });
})();
