/*
 * izi-v2-glue.js: the page side of the merchant's InPost Pay integration, Widget 2.0 contract
 * (docs/widget-versions.md; InPost's Widget 2.0 documentation).
 *
 * The page starts InPost's widget with
 *   InPostPayWidget.init({merchantClientId, basketBindingApiKey, unboundWidgetClicked, handleBasketEvent, language})
 * and answers its two callbacks through the shop's /izi/v2/... endpoints (widget/v2.py):
 *   unboundWidgetClicked(productId?)  product card: POST /izi/v2/add-product {product_id, quantity?}
 *                                     basket places: POST /izi/v2/binding-key
 *                                     -> resolves with the basket binding API key
 *   handleBasketEvent(event)          'basketProductChanged' | 'basketDeleted': the page hears
 *                                     `inpost:basket-changed` and `inpost:count-changed`;
 *                                     'orderCreated': GET /izi/order-complete -> {redirect}, go there
 * The widget talks to InPost itself for everything else (binding status, phone, QR, trusted
 * browser); the page never polls. After a shop-side change the page calls widget.refresh()
 * (or dispatches `izi-shop-basket-changed`): Widget 2.0 has no inpost-update-count.
 *
 * Config from this script tag's data- attributes: data-merchant-client-id, data-binding-key (the
 * session basket's key when the shop has one), data-key-url, data-add-url,
 * data-order-complete-url, data-count-url, data-language.
 */
(() => {
  'use strict';

  const config = document.currentScript.dataset;
  const page = window.IziPage;
  const log = window.IziLog || { add() {} };
  if (!window.InPostPayWidget) {
    console.warn('[izi] InPost Pay widget script not loaded: the shop sells through its own checkout');
    return;
  }

  function refreshCount() {
    return page.request('GET', config.countUrl)
      .then((state) => { if (state) page.announceCount(state.count); })
      .catch((error) => console.warn('[izi] count not refreshed', error));
  }

  // unboundWidgetClicked: the product into the shop's basket first (product card), then the key.
  async function unboundWidgetClicked(productId) {
    if (productId === undefined || productId === null || productId === '') {
      const answer = await page.request('POST', config.keyUrl);
      log.add('Sklep pobrał klucz koszyka od InPost Pay');
      return answer.basket_binding_api_key;
    }
    const quantity = page.chosenQuantity(productId);
    const body = quantity === undefined ? { product_id: productId } : { product_id: productId, quantity };
    const answer = await page.request('POST', config.addUrl, body).catch((error) => {
      if (error.code === 'INPOST_UNAVAILABLE') log.add('InPost Pay jest chwilowo niedostępny — kup przez stronę sklepu', 'error');
      throw error;
    });
    log.add(`Dodano do koszyka (produktów: ${answer.count})`);
    page.announceCount(answer.count);
    page.announceBasket();
    return answer.basket_binding_api_key;
  }

  // handleBasketEvent: what the widget learned from InPost. `true` = handled, no reload.
  async function handleBasketEvent(event) {
    if (event === 'orderCreated') {
      log.add('Zamówienie złożone w aplikacji InPost — przechodzimy do podsumowania', 'ok');
      const answer = await page.request('GET', config.orderCompleteUrl);
      if (!answer || !answer.redirect) return false; // the shop has no order yet: let the widget reload
      const target = new URL(answer.redirect, window.location.href);
      if (target.href !== window.location.href) window.location.assign(target.href);
      return true;
    }
    if (event === 'basketProductChanged' || event === 'basketDeleted') {
      log.add(event === 'basketDeleted' ? 'Koszyk odłączony od InPost Pay' : 'Koszyk zmieniony w aplikacji InPost',
        event === 'basketDeleted' ? '' : 'ok');
      page.announceBasket();
      await refreshCount();
      return true;
    }
    return false;
  }

  // The widget announces a binding it completed (by phone, QR code or a trusted browser).
  document.addEventListener('izi-binding-complete', (event) => {
    const detail = event.detail || {};
    if (detail.basket_linked !== false) log.add(`Koszyk połączony z InPost Pay (${detail.masked_phone_number || ''})`, 'ok');
  });

  let widget = null;
  try {
    widget = window.InPostPayWidget.init({
      merchantClientId: config.merchantClientId,
      basketBindingApiKey: config.bindingKey || undefined,
      unboundWidgetClicked,
      handleBasketEvent,
      language: config.language || 'pl',
    });
  } catch (error) {
    console.warn('[izi] InPost Pay widget not started', error);
    return;
  }
  window.IziWidget = widget; // the shop's own scripts call IziWidget.refresh() after a change

  // A shop-side change the page made without a reload, or a page shown again from the back/forward
  // cache: the widget asks InPost for the basket again.
  document.addEventListener('izi-shop-basket-changed', () => widget.refresh());
  window.addEventListener('pageshow', (event) => { if (event.persisted) widget.refresh(); });
})();
