/*
 * izi-page.js: what the merchant's InPost Pay glue does on the page in both widget versions
 * (docs/widget-versions.md): same-origin JSON calls to the shop with the CSRF token, one at a
 * time; DOM events telling the shop's page that the basket changed; the quantity typed next to
 * a product card's button.
 *
 *   IziPage.request(method, url, body?)   // -> the JSON answer (null for 204); IziApiError otherwise
 *   IziPage.announceCount(count)          // `inpost:count-changed` {count} on document
 *   IziPage.announceBasket()              // `inpost:basket-changed` on document
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

  // The page hears of basket changes through DOM events on `document`; the shop's own script
  // redraws what it shows (the integration knows none of the shop's elements).
  function announceCount(count) {
    if (typeof count !== 'number') return;
    document.dispatchEvent(new CustomEvent('inpost:count-changed', { detail: { count } }));
  }

  function announceBasket() {
    document.dispatchEvent(new CustomEvent('inpost:basket-changed', { detail: {} }));
  }

  // The quantity typed next to the product card's button, if there is such a field.
  function chosenQuantity(productId) {
    const field = [...document.querySelectorAll('form input[name="product_id"]')]
      .find((input) => input.value === String(productId));
    const quantity = field && field.form.elements.quantity;
    return quantity && quantity.value ? quantity.value : undefined;
  }

  window.IziPage = { request, announceCount, announceBasket, chosenQuantity, IziApiError };
})();
