/*
 * A fake merchant for the widget tests: it renders <inpost-izi-button> elements and defines the
 * Widget 1.0 callbacks on window (docs/inpost-pay-api.md §7.4), each behaving as `window.harness` says. Tests
 * set `window.harness` with page.add_init_script before this runs, then read `window.calls`.
 *
 *   elements      list of attribute maps, one <inpost-izi-button> each
 *   canBeBound    what iziCanBeBound returns; an array gives one answer per call (the last repeats)
 *   addToCart     what iziAddToCart resolves with
 *   bindingData   "reject" makes iziGetBindingData reject
 *   orderComplete "reject" makes iziGetOrderComplete reject (until harness.resolveOrderComplete)
 *   omit          names of callbacks the page does not define
 * Any answer may be the string "reject" (a rejected Promise) or "throw" (a synchronous throw);
 * harness.set(name, value) changes one of these mid-test.
 *
 * iziGetIsBound and iziGetOrderComplete stay pending until the test calls
 * harness.resolveIsBound(detail) / harness.rejectIsBound() / harness.resolveOrderComplete(value).
 */
(function () {
  'use strict';

  const data = JSON.parse(document.getElementById('harness-data').textContent);
  const options = Object.assign({
    elements: [{ binding_place: 'PRODUCT_CARD', 'data-product-id': '42' }],
    canBeBound: { can_be_bound: true, basket_linked: false, browser_trusted: false, count: 0 },
    addToCart: { count: 1, basket_linked: false },
    bindingData: 'ok',
    orderComplete: 'wait',
  }, window.harness || {});

  window.calls = [];
  const log = document.getElementById('calls');

  function record(name, args) {
    window.calls.push({ name, args });
    log.append(Object.assign(document.createElement('li'), { textContent: `${name}(${args.map((a) => JSON.stringify(a)).join(', ')})` }));
  }

  function answer(value) {
    if (value === 'throw') throw new Error('harness: thrown');
    if (value === 'reject') return Promise.reject(new Error('harness: rejected'));
    return Promise.resolve(value);
  }

  function deferred() {
    let resolve;
    let reject;
    const promise = new Promise((ok, fail) => { resolve = ok; reject = fail; });
    return { promise, resolve, reject };
  }

  let isBound = null;
  let orderComplete = null;
  let canBeBoundCalls = 0;

  window.iziCanBeBound = function (productId) {
    record('iziCanBeBound', [productId]);
    const answers = Array.isArray(options.canBeBound) ? options.canBeBound : [options.canBeBound];
    return answer(answers[Math.min(canBeBoundCalls++, answers.length - 1)]);
  };
  window.iziAddToCart = function (productId) {
    record('iziAddToCart', [productId]);
    return answer(options.addToCart);
  };
  window.iziGetBindingData = function (...args) {
    record('iziGetBindingData', args);
    if (options.bindingData === 'reject') return answer('reject');
    if (args.length) return answer(undefined); // phone: 202, InPost pushes the request to the app
    return answer({ qr_code: data.qr_code, deep_link: data.deep_link, deep_link_hms: data.deep_link + '&hms=1' });
  };
  window.iziGetIsBound = function () {
    record('iziGetIsBound', []);
    if (!isBound) isBound = deferred();
    return isBound.promise;
  };
  window.iziGetOrderComplete = function () {
    record('iziGetOrderComplete', []);
    if (options.orderComplete === 'reject') return answer('reject');
    if (!orderComplete) orderComplete = deferred();
    return orderComplete.promise;
  };
  window.iziBindingDelete = function () {
    record('iziBindingDelete', []);
    return answer(options.bindingDelete);
  };
  window.iziMobileLink = function () {
    record('iziMobileLink', []);
    return answer({ link: new URL('/app-link', location.href).href });
  };

  (options.omit || []).forEach((name) => { delete window[name]; });

  window.harness = Object.assign(window.harness || {}, {
    set(name, value) { options[name] = value; },
    resolveIsBound(detail) { (isBound = isBound || deferred()).resolve(detail); isBound = null; },
    rejectIsBound() { (isBound = isBound || deferred()).reject(new Error('harness: not bound')); isBound = null; },
    resolveOrderComplete(value) {
      options.orderComplete = 'wait';
      (orderComplete = orderComplete || deferred()).resolve(value);
    },
    // What the merchant's backend does after a basket change (Synchronization of a basket and an order (UC.04) step 10).
    updateCount(detail) {
      document.querySelectorAll('inpost-izi-button').forEach((button) => {
        button.dispatchEvent(new CustomEvent('inpost-update-count', { detail }));
      });
    },
  });

  const widgets = document.getElementById('widgets');
  options.elements.forEach((attributes) => {
    const button = document.createElement('inpost-izi-button');
    Object.entries(attributes).forEach(([name, value]) => button.setAttribute(name, value));
    const slot = document.createElement('div');
    slot.className = 'widget-slot';
    slot.append(Object.assign(document.createElement('p'), { textContent: attributes.binding_place || 'inpost-izi-button' }), button);
    widgets.append(slot);
  });
  document.addEventListener('izi-binding-complete', (event) => record('izi-binding-complete', [event.detail]));
})();
