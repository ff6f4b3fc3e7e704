/*
 * inpostpay-widget-v2.js: InPost Pay's Widget 2.0 script, as the local sandbox serves it
 * (GET /inpostpay.widget.v2.js, with widget-ui.js in front: the element, dialog and styles that
 * Widget 1.0 uses too). docs/widget-versions.md compares the two contracts.
 *
 * The merchant's page:
 *   <script src="https://…/inpostpay.widget.v2.js" defer></script>
 *   <inpost-izi-button binding_place="PRODUCT_CARD" data-product-id="42" variation="rounded primary size-md" language="pl"></inpost-izi-button>
 *   const widget = InPostPayWidget.init({
 *     merchantClientId,          // the Merchant Client ID InPost gave the shop
 *     basketBindingApiKey,       // undefined | key | Promise<key>: the session basket's key, when known
 *     unboundWidgetClicked,      // (productId?) => Promise<key>: add the product (product card), get the key
 *     handleBasketEvent,         // ('basketProductChanged' | 'basketDeleted' | 'orderCreated') => boolean | Promise<boolean>
 *     language,                  // 'pl' | 'en'
 *   });
 *   widget.refresh();            // after a shop-side basket change (there is no inpost-update-count)
 *
 * The merchant's backend only obtains the key (PUT /v2/izi/basket/{id}/binding). Everything else
 * the widget asks InPost itself, cross-origin, with the key (sandbox/widget_v2.py): the basket's
 * binding, phone and QR binding, trusted browsers, unlinking. It follows the basket's state at
 * InPost while the page is open and tells the page through handleBasketEvent: the basket changed
 * in the app, it was unlinked, an order was placed. A `false` answer (or none) reloads the page.
 */
(() => {
  'use strict';

  const ui = window.InPostPayWidgetUI;
  if (!ui || window.InPostPayWidget) return;
  const { asObject, delay, logProblem } = ui;

  // InPost's widget API lives where this script came from.
  const API = new URL('/widget/v2', (document.currentScript && document.currentScript.src) || window.location.href).href;
  const FOLLOW_MS = 1500; // how often an open page looks at its basket at InPost
  const BIND_WAIT_MS = 1000; // how often the open dialog looks for the shopper's answer in the app
  const BIND_WAIT_LIMIT_MS = 15 * 60 * 1000; // a binding request lapses in the app after 15 minutes
  const BROWSER_KEY = 'inpostpay.browser_id'; // set once the app user trusted this browser

  let options = null;
  let key = null;
  let widget = null;
  let last = null; // the basket's state at InPost as last seen
  let following = false;
  let orderWaiters = [];
  let lastPlace = null;
  let waitingForBinding = false; // the dialog waits for the shopper's answer (isBound)

  class WidgetApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // InPost's widget API: CORS from the merchant's registered origin, the key in a header.
  // ---------------------------------------------------------------------------------------------
  function trustedBrowserId() {
    try {
      return window.localStorage.getItem(BROWSER_KEY);
    } catch (error) {
      return null; // storage blocked: the browser is simply not recognised
    }
  }

  function rememberBrowser(state) {
    if (!state.browser_id) return;
    try {
      window.localStorage.setItem(BROWSER_KEY, state.browser_id);
    } catch (error) {
      logProblem('trusted browser not remembered', error);
    }
  }

  async function call(method, path, body) {
    const headers = { Accept: 'application/json', 'X-Merchant-Client-Id': options.merchantClientId };
    if (key) headers['X-Basket-Binding-Api-Key'] = key;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const browserId = method === 'GET' ? trustedBrowserId() : null;
    const url = API + path + (browserId ? `?browser_id=${encodeURIComponent(browserId)}` : '');
    const response = await fetch(url, {
      method, mode: 'cors', credentials: 'omit', cache: 'no-store', headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) return null;
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (!response.ok) {
      throw new WidgetApiError(response.status, (data && data.error_code) || `HTTP_${response.status}`,
        (data && data.error_message) || `HTTP ${response.status}`);
    }
    return data;
  }

  const status = () => call('GET', '/binding').then(asObject);

  // ---------------------------------------------------------------------------------------------
  // The key and the page's callbacks.
  // ---------------------------------------------------------------------------------------------
  function takeKey(value) {
    if (typeof value !== 'string' || !value.trim()) throw new Error('the shop gave no basket binding API key');
    if (value.trim() !== key) last = null; // another basket: start following afresh
    key = value.trim();
    return key;
  }

  // unboundWidgetClicked: the page adds the product (product card) and resolves with the key.
  async function obtainKey(productId) {
    return takeKey(await options.unboundWidgetClicked(productId));
  }

  async function tellPage(event) {
    let handled = false;
    try {
      handled = typeof options.handleBasketEvent === 'function' && Boolean(await options.handleBasketEvent(event));
    } catch (error) {
      logProblem(`handleBasketEvent('${event}') failed`, error);
    }
    return handled;
  }

  // ---------------------------------------------------------------------------------------------
  // Following the basket at InPost: app-side changes, unlinking and the order reach the page.
  // ---------------------------------------------------------------------------------------------
  async function follow() {
    if (following) return;
    following = true;
    while (key) {
      await delay(FOLLOW_MS);
      let now;
      try {
        now = await status();
      } catch (error) {
        if (error.status === 401) break; // InPost no longer knows this key
        continue; // InPost unreachable for a moment: look again later
      }
      if (await notice(now)) break;
    }
    following = false;
  }

  // What changed since the last look; true when following ends (the basket was ordered).
  async function notice(now) {
    const before = last;
    last = now;
    if (!before) return false;
    if (now.basket_status === 'ORDERED' && before.basket_status !== 'ORDERED') {
      const handled = await tellPage('orderCreated');
      const waiters = orderWaiters;
      orderWaiters = [];
      waiters.forEach((resolve) => resolve({ action: handled ? 'handled' : 'refresh' }));
      if (!handled && !waiters.length) window.location.reload();
      return true;
    }
    if (before.basket_linked && !now.basket_linked) {
      widget.markUnlinked();
      if (!(await tellPage('basketDeleted'))) window.location.reload();
    } else if (now.basket_linked && !before.basket_linked && !waitingForBinding) {
      // Linked elsewhere (another tab, a trusted browser): shown here too, and announced as the
      // dialog would (the open dialog's own wait, isBound(), finishes a binding it started).
      rememberBrowser(now);
      widget.markLinked(now);
      document.dispatchEvent(new CustomEvent('izi-binding-complete', { detail: Object.assign({}, now, { basket_linked: true }) }));
    } else if (now.basket_linked && now.basket_version !== before.basket_version) {
      widget.setCount(now.count);
      if (!(await tellPage('basketProductChanged'))) window.location.reload();
    }
    return false;
  }

  function seen(state) {
    if (!last) last = state;
    follow();
    return state;
  }

  // Which button opened the dialog: InPost records the binding_place.
  document.addEventListener('click', (event) => {
    const button = event.composedPath().find((node) => node.tagName === 'INPOST-IZI-BUTTON');
    if (button) lastPlace = button.getAttribute('binding_place');
  }, true);

  // ---------------------------------------------------------------------------------------------
  // The driver of widget-ui.js.
  // ---------------------------------------------------------------------------------------------
  let started = null;

  const driver = {
    // The widget's lifecycle: the merchant's configuration at InPost, then the key if the page has one.
    ready() {
      if (!started) {
        started = (async () => {
          await call('GET', '/config');
          try {
            const initial = await options.basketBindingApiKey;
            if (initial) takeKey(initial);
          } catch (error) {
            logProblem('basketBindingApiKey rejected', error);
          }
        })();
        started.catch(() => { started = null; }); // InPost down: the next question tries again
      }
      return started;
    },

    async canBeBound() {
      if (!key) return { can_be_bound: true, basket_linked: false, browser_trusted: false };
      const state = seen(await status());
      return Object.assign({ can_be_bound: true }, state);
    },

    // A click on an unbound product card (or a product card of a bound basket): the page adds the
    // product and hands over the key. A trusted browser then links the basket with no app step.
    async addToCart(productId) {
      await obtainKey(productId);
      let state = await status();
      const browserId = trustedBrowserId();
      if (!state.basket_linked && state.browser_trusted && browserId) {
        try {
          state = await call('POST', '/binding/trusted', { browser_id: browserId });
        } catch (error) {
          logProblem('trusted browser refused', error);
        }
      }
      last = state;
      seen(state);
      return state;
    },

    async bindingData(prefix, phone) {
      if (!key) await obtainKey(undefined);
      const body = { binding_method: phone ? 'PHONE' : 'DEEP_LINK', browser: ui.describeBrowser() };
      if (lastPlace && lastPlace !== 'THANK_YOU_PAGE') body.binding_place = lastPlace;
      if (phone) body.phone_number = { country_prefix: prefix || '+48', phone };
      return asObject(await call('POST', '/binding', body));
    },

    // The shopper's answer in the app: linked, or {basket_linked: false} when they said no.
    async isBound() {
      const until = Date.now() + BIND_WAIT_LIMIT_MS;
      waitingForBinding = true;
      try {
        while (Date.now() < until) {
          const state = await status();
          if (state.basket_linked) {
            rememberBrowser(state);
            last = state;
            seen(state);
            return state;
          }
          if (state.binding_request_status === 'REJECTED') return { basket_linked: false };
          await delay(BIND_WAIT_MS);
        }
        return { basket_linked: false };
      } finally {
        waitingForBinding = false;
      }
    },

    // Resolved by follow() when InPost has the order (after handleBasketEvent('orderCreated')).
    orderComplete() {
      return new Promise((resolve) => { orderWaiters.push(resolve); });
    },

    async bindingDelete() {
      await call('DELETE', '/binding');
      last = Object.assign({}, last, { basket_linked: false });
      tellPage('basketDeleted');
    },

    async mobileLink() {
      return { link: (await status()).deep_link };
    },
  };

  // ---------------------------------------------------------------------------------------------
  // window.InPostPayWidget
  // ---------------------------------------------------------------------------------------------
  window.InPostPayWidget = {
    init(given) {
      if (widget) return widget.handle; // one instance per page
      const opts = asObject(given);
      if (typeof opts.merchantClientId !== 'string' || !opts.merchantClientId) throw new Error('InPostPayWidget.init: merchantClientId is required');
      if (typeof opts.unboundWidgetClicked !== 'function') throw new Error('InPostPayWidget.init: unboundWidgetClicked is required');
      options = opts;
      if (opts.language === 'pl' || opts.language === 'en') {
        document.querySelectorAll('inpost-izi-button:not([language])').forEach((el) => el.setAttribute('language', opts.language));
      }
      widget = ui.define(driver);
      if (!widget) throw new Error('InPostPayWidget.init: <inpost-izi-button> is defined already');
      widget.handle = {
        // After a shop-side change: ask InPost for the basket again (count, binding).
        refresh() { widget.refreshAll(); },
      };
      return widget.handle;
    },
  };
})();
