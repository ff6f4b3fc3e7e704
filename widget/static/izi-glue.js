/*
 * izi-glue.js: the page side of the merchant's InPost Pay integration (Widget 1.0 contract,
 * docs/inpost-pay-api.md §7.4, docs/architecture.md#interfaces "The browser API", Synchronization of a basket and an order (UC.04) UC.04).
 *
 * InPost's script (inpostizi.js) renders <inpost-izi-button> and calls the window.izi*
 * functions defined here; each is a same-origin fetch to the shop's /izi/... endpoints with the
 * CSRF token of <meta name="csrf-token">. iziGetIsBound and iziGetOrderComplete resolve from the
 * socket's pushes (izi-socket.js) and ask the REST twin whenever the socket (re)joins or is down,
 * so a page that missed a push still finds out.
 *
 * Also: every basket change reaches every <inpost-izi-button> as `inpost-update-count`, and
 * the page hears of it through DOM events on `document` (izi-page.js), so that the shop's own
 * script redraws what it shows (this file knows none of the shop's elements):
 *   inpost:count-changed   detail {count}  the basket's number of products changed
 *   inpost:basket-changed  detail {}       the basket changed (added here, in the app, in another tab)
 * The calls and the announcements are izi-page.js's (shared with Widget 2.0's glue).
 * Config comes from this script tag's data- attributes (data-api), never from Jinja in JS.
 */
(() => {
  'use strict';

  const config = document.currentScript.dataset;
  const API = config.api || '/izi';
  const log = window.IziLog || { add() {} };
  const sockets = window.IziSocket;
  const page = window.IziPage;

  // The browser API (izi-page.js: same origin, CSRF token, one request at a time).
  function call(method, path, body) {
    return page.request(method, API + path, body).then((data) => {
      if (data && data.basket_ref && sockets) sockets.follow(data.basket_ref);
      return data;
    }, (error) => {
      if (error.code === 'INPOST_UNAVAILABLE') log.add('InPost Pay jest chwilowo niedostępny — kup przez stronę sklepu', 'error');
      throw error;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // The page: buttons, the header count, the basket (izi-page.js).
  // ---------------------------------------------------------------------------------------------
  function buttons() {
    return [...document.querySelectorAll('inpost-izi-button')];
  }

  // Synchronization of a basket and an order (UC.04) steps 10-11: the merchant tells every button the new number of products; the
  // shop's page hears it too.
  function updateCount(count, basketLinked) {
    if (typeof count !== 'number') return;
    const detail = basketLinked === undefined ? { count } : { count, basket_linked: basketLinked };
    buttons().forEach((button) => button.dispatchEvent(new CustomEvent('inpost-update-count', { detail })));
    page.announceCount(count);
  }

  const { announceBasket: basketChanged, chosenQuantity } = page;

  // Which button opened the binding dialog: InPost wants the binding_place (docs/inpost-pay-api.md §7.1).
  let lastPlace = null;
  document.addEventListener('click', (event) => {
    const button = event.composedPath().find((node) => node.tagName === 'INPOST-IZI-BUTTON');
    if (button) lastPlace = button.getAttribute('binding_place');
  }, true);

  // ---------------------------------------------------------------------------------------------
  // Waiting for something the server pushes: resolve on the push, and ask the REST twin on every
  // (re)join and every 2 s while the socket is down (no lost binding, no lost order).
  // ---------------------------------------------------------------------------------------------
  const waiters = new Set();

  function waitFor(event, accept, check) {
    return new Promise((resolve) => {
      let done = false;
      let stopSync = () => {};
      const waiter = { event, accept: (data) => finish(accept(data)) };
      function finish(value) {
        if (done || !value) return;
        done = true;
        waiters.delete(waiter);
        stopSync();
        resolve(value);
      }
      waiters.add(waiter);
      stopSync = sockets.keepInSync(() => check().then(finish));
    });
  }
  function offerToWaiters(event, data) {
    let taken = false;
    [...waiters].forEach((waiter) => {
      if (waiter.event === event) { waiter.accept(data); taken = true; }
    });
    return taken;
  }

  // ---------------------------------------------------------------------------------------------
  // window.izi* (docs/inpost-pay-api.md §7.4). InPost's script waits for these before its first call.
  // ---------------------------------------------------------------------------------------------
  let canBeBoundLogged = false;

  window.iziCanBeBound = async function iziCanBeBound(productId) {
    const first = !canBeBoundLogged; // several buttons ask at once: narrate the first
    canBeBoundLogged = true;
    if (first) log.add('Widget pyta, czy koszyk jest połączony z InPost Pay');
    const answer = await call('POST', '/can-be-bound', productId === undefined ? {} : { product_id: productId });
    if (first) {
      if (answer.basket_linked) log.add(`Koszyk jest połączony (${answer.masked_phone_number || 'InPost Pay'})`, 'ok');
      else if (answer.browser_trusted) log.add('Przeglądarka zaufana: następny produkt połączy koszyk bez aplikacji');
    }
    return answer;
  };

  window.iziAddToCart = async function iziAddToCart(productId) {
    const quantity = chosenQuantity(productId);
    const answer = await call('POST', '/add-to-cart', quantity === undefined ? { product_id: productId } : { product_id: productId, quantity });
    log.add(answer.basket_linked ? `Koszyk zsynchronizowany z InPost Pay (produktów: ${answer.count})` : `Dodano do koszyka (produktów: ${answer.count})`, answer.basket_linked ? 'ok' : '');
    updateCount(answer.count);
    basketChanged();
    return answer;
  };

  window.iziGetBindingData = async function iziGetBindingData(prefix, phone) {
    const body = { binding_place: lastPlace || undefined };
    if (typeof window.iziGetBrowserData === 'function') body.browser = window.iziGetBrowserData({ base64: true });
    if (phone) Object.assign(body, { prefix: prefix || '+48', phone });
    log.add(phone ? 'Prośba o połączenie koszyka wysłana do aplikacji InPost Mobile' : 'Pobieramy kod QR do połączenia koszyka');
    const answer = await call('POST', '/binding-data', body);
    return answer || {};
  };

  window.iziGetIsBound = function iziGetIsBound() {
    // Resolves with the binding once InPost confirmed it (or {basket_linked: false} when the
    // shopper said no in the app); the widget then shows the bound basket.
    const accept = (data) => {
      if (!data) return null;
      if (data.basket_linked) return data;
      return data.status === 'rejected' ? data : null;
    };
    return waitFor('binding', accept, () => call('GET', '/is-bound').then(accept)).then((data) => {
      if (data.basket_linked) log.add(`Koszyk połączony z InPost Pay (${data.masked_phone_number || ''})`, 'ok');
      else log.add('Koszyk nie został potwierdzony w aplikacji', 'error');
      return data;
    });
  };

  window.iziGetOrderComplete = function iziGetOrderComplete() {
    const accept = (data) => (data && data.redirect ? data : null);
    return waitFor('order-complete', accept, () => call('GET', '/order-complete').then(accept));
  };

  window.iziBindingDelete = async function iziBindingDelete() {
    await call('DELETE', '/binding');
    log.add('Koszyk odłączony od InPost Pay');
  };

  window.iziMobileLink = function iziMobileLink() {
    return call('GET', '/mobile-link');
  };

  // "Zapomnij tę przeglądarkę" in the header's minicart: the next basket will ask the app again.
  document.addEventListener('click', (event) => {
    const forget = event.target.closest('[data-izi-forget-browser]');
    if (!forget) return;
    forget.disabled = true;
    call('DELETE', '/trusted-browser')
      .then(() => {
        log.add('Przeglądarka zapomniana w InPost Pay', 'ok');
        forget.closest('.izi-minicart-trusted').textContent = 'Ta przeglądarka nie jest już zaufana w InPost Pay.';
      })
      .catch(() => { forget.disabled = false; });
  });

  // ---------------------------------------------------------------------------------------------
  // Pushes from the shop (izi-socket.js).
  // ---------------------------------------------------------------------------------------------
  if (sockets) {
    sockets.on('inpost-update-count', (data) => {
      updateCount(data.count, data.basket_linked);
      basketChanged(); // another tab of this session changed the basket
    });

    // A push sent before this page's socket joined its room (the page was loading, the socket
    // was reconnecting) is not lost: on every join the page asks for the basket as it is now.
    sockets.on('joined', () => {
      basketChanged();
      fetch(`${API}/is-bound`, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } })
        .then((response) => (response.ok ? response.json() : null))
        .then((state) => { if (state) updateCount(state.count); })
        .catch((error) => console.warn('[izi] count not refreshed', error));
    });

    sockets.on('basket', (data) => {
      log.add(`Koszyk zmieniony w aplikacji InPost (produktów: ${data.count})`, 'ok');
      basketChanged();
    });

    sockets.on('binding', (data) => {
      offerToWaiters('binding', data);
      if (data.basket_linked) {
        document.dispatchEvent(new CustomEvent('izi-binding-complete', { detail: data }));
      } else {
        if (data.status !== 'rejected') log.add('Koszyk odłączony od InPost Pay');
        buttons().forEach((button) => button.dispatchEvent(new CustomEvent('inpost-update-count', { detail: { basket_linked: false } })));
      }
    });

    sockets.on('order-complete', (data) => {
      log.add('Zamówienie złożone w aplikacji InPost — przechodzimy do podsumowania', 'ok');
      document.dispatchEvent(new CustomEvent('izi-order-complete', { detail: data }));
      // The widget's iziGetOrderComplete() normally takes it and redirects; a page without a
      // watching widget (e.g. it still thinks the basket is unlinked) goes there itself.
      if (!offerToWaiters('order-complete', data) && data.redirect && !document.querySelector('[data-izi-order]')) {
        window.location.assign(new URL(data.redirect, window.location.href).href);
      }
    });
  }
})();
