/*
 * inpostizi.js: InPost Pay's widget script (Widget 1.0), as the local sandbox serves it.
 *
 * This file plays InPost's part in the browser. It must work on ANY merchant page that follows the
 * Widget 1.0 contract (docs/inpost-pay-api.md §7.4, docs/architecture.md#interfaces "The browser API", Synchronization of a basket and an order (UC.04) UC.04):
 *
 *   <script src="https://…/inpostizi.js" defer></script>
 *   <inpost-izi-button binding_place="PRODUCT_CARD" data-product-id="42" language="pl"></inpost-izi-button>
 *
 * The merchant page defines the callbacks on `window` (each may return a value or a Promise):
 *   iziCanBeBound(productId)            -> true/false, or {can_be_bound, basket_linked, browser_trusted, count, masked_phone_number?, name?}
 *   iziAddToCart(productId)             -> {count, basket_linked}       (adds the product to the shop basket)
 *   iziGetBindingData(prefix?, phone?)  -> phone given: resolves once the request went to the app
 *                                          no phone:    {qr_code, deep_link, deep_link_hms?}
 *   iziGetIsBound()                     -> resolves once the shopper accepted the basket in InPost Mobile
 *   iziGetOrderComplete()               -> resolves {redirect} once InPost created the order
 *   iziBindingDelete()                  -> unlinks the basket
 *   iziMobileLink()                     -> {link} that opens the basket in the app
 * and tells the widget about basket changes with
 *   button.dispatchEvent(new CustomEvent('inpost-update-count', {detail: count}))  // or {count, basket_linked}
 *
 * The script provides window.iziGetBrowserData({base64}) (the browser description the merchant
 * sends in POST /v1/izi/basket/{id}/binding) and dispatches `izi-binding-complete` on the button
 * once a basket is linked.
 *
 * The element, its dialog and its styles are widget-ui.js's (shared with Widget 2.0); the sandbox
 * serves that file in front of this one as one script. This file is the Widget 1.0 driver: every
 * question goes to the merchant's window.izi* callbacks.
 */
(() => {
  'use strict';

  const ui = window.InPostPayWidgetUI;
  if (!ui) return;
  const { MissingCallback, describeBrowser, base64Json } = ui;

  function callMerchant(name, ...args) {
    return new Promise((resolve) => {
      const fn = window[name];
      if (typeof fn !== 'function') throw new MissingCallback(`window.${name} is not defined`);
      resolve(fn.apply(window, args));
    });
  }

  // With <script defer> this file may run before the merchant's own script defines the callbacks.
  const documentReady = new Promise((resolve) => {
    if (document.readyState !== 'loading') resolve();
    else document.addEventListener('DOMContentLoaded', () => resolve(), { once: true });
  });

  async function callbacksReady() {
    await documentReady;
    if (typeof window.iziCanBeBound !== 'function' && document.readyState !== 'complete') {
      await new Promise((resolve) => window.addEventListener('load', () => resolve(), { once: true }));
    }
  }

  // window.iziGetBrowserData: InPost's script provides it (docs/inpost-pay-api.md §7.4). The merchant sends it
  // in POST /v1/izi/basket/{id}/binding as `browser`, so InPost can recognise a trusted browser.
  window.iziGetBrowserData = function iziGetBrowserData(options) {
    const data = describeBrowser();
    return options && options.base64 ? base64Json(data) : data;
  };


  ui.define({
    ready: callbacksReady,
    canBeBound: (productId) => callMerchant('iziCanBeBound', productId),
    addToCart: (productId) => callMerchant('iziAddToCart', productId),
    bindingData: (...args) => callMerchant('iziGetBindingData', ...args),
    isBound: () => callMerchant('iziGetIsBound'),
    orderComplete: () => callMerchant('iziGetOrderComplete'),
    bindingDelete: () => callMerchant('iziBindingDelete'),
    mobileLink: () => callMerchant('iziMobileLink'),
  });
})();
