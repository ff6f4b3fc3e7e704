/*
 * izi-page.js: what the shop's InPost Pay glue does on the page in both widget versions
 * (docs/widget-versions.md): same-origin JSON calls to the shop with the CSRF token, one at a
 * time; the header's basket count; the basket page redrawn from /koszyk/fragment without a
 * reload; the quantity typed next to a product card's button.
 *
 *   IziPage.request(method, url, body?)   // -> the JSON answer (null for 204); IziApiError otherwise
 *   IziPage.showCount(count)              // the header's count
 *   IziPage.renderBasket()                // redraw the basket page, if this is it
 *   IziPage.chosenQuantity(productId)     // the product form's quantity, or undefined
 *
 * izi-glue.js (Widget 1.0) and izi-v2-glue.js (Widget 2.0) are built on it.
 */
(() => {
  'use strict';

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : '';
  }

  // ---------------------------------------------------------------------------------------------
  // Calls to the shop. One request at a time: the shop's session is a cookie that each answer may
  // rewrite, and two answers crossing each other could drop the basket from it.
  // ---------------------------------------------------------------------------------------------
  let queue = Promise.resolve();

  class IziApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function read(response) {
    if (response.status === 204) return null;
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (!response.ok) {
      const code = (data && data.error_code) || `HTTP_${response.status}`;
      throw new IziApiError(response.status, code, (data && data.error_message) || `HTTP ${response.status}`);
    }
    return data;
  }

  function request(method, url, body) {
    const run = () => fetch(url, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: Object.assign(
        { Accept: 'application/json', 'X-CSRFToken': csrfToken() },
        body === undefined ? {} : { 'Content-Type': 'application/json' },
      ),
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(read);
    const result = queue.then(run, run);
    queue = result.catch(() => null);
    return result;
  }

  // The header's count (and the basket link's accessible name).
  function showCount(count) {
    if (typeof count !== 'number') return;
    document.querySelectorAll('[data-basket-count]').forEach((node) => { node.textContent = String(count); });
    document.querySelectorAll('.basket-link').forEach((link) => link.setAttribute('aria-label', `Koszyk, produktów: ${count}`));
  }

  // The basket page shows the basket from /koszyk/fragment. The slot holding the BASKET_SUMMARY
  // button is left where it is (its siblings are swapped around it): moving the element would
  // make the widget start over.
  let rendering = null;
  let renderAgain = false;

  // A redraw that would show the version the page already shows is skipped, so a late or
  // repeated push (or the catch-up after the socket joined) never wipes what the shopper is typing.
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
      .catch((error) => console.warn('[izi] basket not refreshed', error))
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

  // The quantity typed next to the product card's button, if there is such a field.
  function chosenQuantity(productId) {
    const field = [...document.querySelectorAll('form input[name="product_id"]')]
      .find((input) => input.value === String(productId));
    const quantity = field && field.form.elements.quantity;
    return quantity && quantity.value ? quantity.value : undefined;
  }

  window.IziPage = { request, showCount, renderBasket, chosenQuantity, IziApiError };
})();
