/*
 * widget-ui.js: the part of InPost Pay's widget scripts that both contracts share, as the local
 * sandbox serves them (docs/widget-versions.md): the <inpost-izi-button> element, its binding
 * dialog (phone number or QR code), its strings and its styles.
 *
 * It never talks to anyone itself. A contract's script hands it a *driver* and it defines the
 * element with it:
 *
 *   const widget = InPostPayWidgetUI.define({
 *     ready(),                    // resolves when the first question may be asked
 *     canBeBound(productId?),     // -> {can_be_bound, basket_linked, browser_trusted, count, masked_phone_number?, name?}
 *     addToCart(productId),       // -> {count, basket_linked}
 *     bindingData(prefix?, phone?), // phone: resolves once the request reached the app; none: {qr_code, deep_link, deep_link_hms?}
 *     isBound(),                  // resolves with the binding once the shopper accepted it in the app
 *     orderComplete(),            // resolves {redirect} | {action: 'handled'|'refresh'|'delete'} | nothing yet
 *     bindingDelete(),            // unlinks the basket
 *     mobileLink(),               // -> {link} that opens the basket in the app
 *   });
 *   // -> {markLinked(info), markUnlinked(), setCount(n), refreshAll()} or null when defined already
 *
 * inpostizi.js (Widget 1.0) drives it with the merchant's window.izi* callbacks;
 * inpostpay-widget-v2.js (Widget 2.0) with calls to InPost's own widget API. The sandbox serves
 * each contract's script with this file in front of it, as one script.
 *
 * Plain JS, no dependencies. Everything is built with DOM calls (names and phone numbers come from
 * the merchant, so never through innerHTML) and styled through a constructed stylesheet, so a
 * strict Content-Security-Policy without 'unsafe-inline' does not break it.
 */
(() => {
  'use strict';

  if (window.InPostPayWidgetUI) return; // loaded twice: the first copy wins
  const TAG = 'inpost-izi-button';

  const PRODUCT_CARD = 'PRODUCT_CARD';
  const THANK_YOU_PAGE = 'THANK_YOU_PAGE'; // a display place, not a binding place (docs/inpost-pay-api.md §7.1)
  const ORDER_RETRY_MS = 2000;
  const ORDER_MAX_FAILURES = 5;
  const ANNOUNCEMENT_MS = 8000;


  // ---------------------------------------------------------------------------------------------
  // Strings. Every text the shopper sees comes from here; `language` picks the dictionary.
  // ---------------------------------------------------------------------------------------------
  const STRINGS = {
    pl: {
      createBasket: 'Utwórz koszyk z InPost Pay',
      buy: 'Kup z InPost Pay',
      addToLinked: 'Dodaj do koszyka',
      linkedFallback: 'Koszyk połączony',
      cannotProduct: 'Tego produktu nie można teraz dodać',
      cannotBasket: 'Tego koszyka nie można teraz połączyć z InPost Pay',
      unavailable: 'InPost Pay jest chwilowo niedostępny',
      added: 'Dodano do koszyka InPost Pay',
      addFailed: 'Nie udało się dodać produktu. Spróbuj ponownie.',
      linked: 'Koszyk połączony z InPost Pay',
      options: 'Opcje koszyka InPost Pay',
      openApp: 'Otwórz w aplikacji',
      openAppFailed: 'Nie udało się otworzyć aplikacji. Spróbuj ponownie.',
      unlink: 'Odłącz koszyk',
      unlinked: 'Koszyk odłączony od InPost Pay',
      unlinkFailed: 'Nie udało się odłączyć koszyka. Spróbuj ponownie.',
      redirecting: 'Zamówienie złożone. Przechodzimy do podsumowania…',
      thankYou: 'Zamówienie złożone z InPost Pay. Jego status sprawdzisz w aplikacji InPost Mobile.',
      items: { one: '{n} produkt w koszyku', few: '{n} produkty w koszyku', many: '{n} produktów w koszyku', other: '{n} produktu w koszyku' },
      dialogTitle: 'Połącz koszyk z InPost Pay',
      dialogIntro: 'Koszyk trafi do aplikacji InPost Mobile. Tam wybierzesz dostawę i zapłacisz.',
      close: 'Zamknij',
      tabPhone: 'Numer telefonu',
      tabQr: 'Kod QR',
      prefix: 'Kierunkowy',
      phone: 'Numer telefonu',
      phoneHint: 'Wyślemy prośbę o połączenie koszyka do aplikacji InPost Mobile na tym numerze.',
      send: 'Wyślij do aplikacji',
      sending: 'Wysyłamy…',
      phoneEmpty: 'Wpisz numer telefonu.',
      phoneNoPrefix: 'Kierunkowy wybierz z listy, a tu wpisz sam numer.',
      phoneDigits: 'Numer może zawierać tylko cyfry.',
      phonePl: 'Numer w Polsce ma 9 cyfr.',
      phoneLength: 'Numer powinien mieć od 6 do 12 cyfr.',
      waitTitle: 'Potwierdź w aplikacji InPost Mobile',
      waitPhone: 'Wysłaliśmy prośbę na numer {phone}. Otwórz aplikację i zaakceptuj koszyk.',
      changeNumber: 'Zmień numer',
      qrLoading: 'Pobieramy kod QR…',
      qrIntro: 'Zeskanuj kod aparatem telefonu. Potem potwierdź koszyk w aplikacji InPost Mobile.',
      qrAlt: 'Kod QR łączący koszyk z InPost Pay',
      qrOnPhone: 'Przeglądasz na telefonie?',
      deepLink: 'Otwórz InPost Mobile',
      deepLinkHms: 'Dla telefonów Huawei',
      failed: 'Coś poszło nie tak. Spróbuj ponownie.',
      rejected: 'Koszyk nie został potwierdzony w aplikacji.',
      retry: 'Spróbuj ponownie',
      countries: { '+48': 'Polska', '+49': 'Niemcy', '+420': 'Czechy', '+421': 'Słowacja', '+370': 'Litwa', '+380': 'Ukraina', '+44': 'Wielka Brytania' },
    },
    en: {
      createBasket: 'Create a basket with InPost Pay',
      buy: 'Buy with InPost Pay',
      addToLinked: 'Add to basket',
      linkedFallback: 'Basket linked',
      cannotProduct: "This product can't be added right now",
      cannotBasket: "This basket can't be linked with InPost Pay right now",
      unavailable: 'InPost Pay is temporarily unavailable',
      added: 'Added to your InPost Pay basket',
      addFailed: "Couldn't add the product. Please try again.",
      linked: 'Basket linked with InPost Pay',
      options: 'InPost Pay basket options',
      openApp: 'Open in the app',
      openAppFailed: "Couldn't open the app. Please try again.",
      unlink: 'Unlink basket',
      unlinked: 'Basket unlinked from InPost Pay',
      unlinkFailed: "Couldn't unlink the basket. Please try again.",
      redirecting: 'Order placed. Taking you to the summary…',
      thankYou: 'Order placed with InPost Pay. Follow its status in the InPost Mobile app.',
      items: { one: '{n} item in the basket', other: '{n} items in the basket' },
      dialogTitle: 'Link your basket with InPost Pay',
      dialogIntro: 'Your basket goes to the InPost Mobile app, where you choose delivery and pay.',
      close: 'Close',
      tabPhone: 'Phone number',
      tabQr: 'QR code',
      prefix: 'Country code',
      phone: 'Phone number',
      phoneHint: 'We will send a request to link the basket to the InPost Mobile app on this number.',
      send: 'Send to the app',
      sending: 'Sending…',
      phoneEmpty: 'Enter your phone number.',
      phoneNoPrefix: 'Pick the country code from the list and type the number without it.',
      phoneDigits: 'Use digits only.',
      phonePl: 'A Polish number has 9 digits.',
      phoneLength: 'The number should have 6 to 12 digits.',
      waitTitle: 'Confirm in the InPost Mobile app',
      waitPhone: 'We sent a request to {phone}. Open the app and accept the basket.',
      changeNumber: 'Change number',
      qrLoading: 'Loading the QR code…',
      qrIntro: "Scan the code with your phone's camera, then confirm the basket in the InPost Mobile app.",
      qrAlt: 'QR code that links your basket with InPost Pay',
      qrOnPhone: 'On your phone?',
      deepLink: 'Open InPost Mobile',
      deepLinkHms: 'For Huawei phones',
      failed: 'Something went wrong. Please try again.',
      rejected: "The basket wasn't confirmed in the app.",
      retry: 'Try again',
      countries: { '+48': 'Poland', '+49': 'Germany', '+420': 'Czechia', '+421': 'Slovakia', '+370': 'Lithuania', '+380': 'Ukraine', '+44': 'United Kingdom' },
    },
  };
  const PREFIXES = ['+48', '+49', '+420', '+421', '+370', '+380', '+44'];

  function strings(lang) {
    return STRINGS[lang] || STRINGS.pl;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key]));
  }

  // Like fill(), but a value may be a DOM node (e.g. a phone number that must not wrap).
  function fillNodes(template, values) {
    return template.split(/(\{\w+\})/).filter(Boolean).map((part) => {
      const key = /^\{(\w+)\}$/.exec(part);
      return key && key[1] in values ? values[key[1]] : part;
    });
  }

  function itemsText(lang, count) {
    const forms = strings(lang).items;
    const rule = new Intl.PluralRules(lang === 'en' ? 'en' : 'pl').select(count);
    return fill(forms[rule] || forms.other, { n: count });
  }


  // ---------------------------------------------------------------------------------------------
  // Small helpers. A driver call may return a value or a Promise, or throw; a failure counts as
  // unavailable (InPost or the shop being down never breaks the page). MissingCallback: the page
  // lacks what the contract needs, so asking again is pointless.
  // ---------------------------------------------------------------------------------------------

  function logProblem(what, error) {
    // The shopper sees a plain message; the developer gets the reason in the console.
    console.warn(`[inpostizi] ${what}:`, error);
  }

  class MissingCallback extends Error {}

  function delay(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  function toCount(value) {
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.floor(value);
    if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) return parseInt(value, 10);
    return null;
  }

  function asObject(value) {
    return value && typeof value === 'object' ? value : {};
  }

  // Links and redirects come from the merchant; never follow a script URL.
  function safeUrl(value) {
    if (typeof value !== 'string' || !value.trim()) return null;
    return /^\s*(javascript|vbscript|data):/i.test(value) ? null : value.trim();
  }


  // ---------------------------------------------------------------------------------------------
  // The browser's description: sent with a binding request (`browser`), so InPost can recognise a
  // trusted browser later (Widget 1.0 hands it to the merchant through window.iziGetBrowserData).
  // ---------------------------------------------------------------------------------------------
  function describeBrowser() {
    let timeZone = '';
    try {
      timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
    } catch (error) {
      logProblem('time zone unknown', error);
    }
    return {
      user_agent: navigator.userAgent,
      platform: (navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform || '',
      language: navigator.language || '',
      screen: `${window.screen.width}x${window.screen.height}`,
      time_zone: timeZone,
      data_time: new Date().toISOString(),
    };
  }

  function base64Json(value) {
    const bytes = new TextEncoder().encode(JSON.stringify(value));
    let binary = '';
    bytes.forEach((byte) => { binary += String.fromCharCode(byte); });
    return btoa(binary);
  }


  // The contract's driver (see the head of this file); set once by define().
  let driver = null;
  // ---------------------------------------------------------------------------------------------
  // Page-wide state. One shopper, one basket: every button on the page shows the same binding, so
  // binding through one switches them all (and a single order watcher serves the whole page).
  // ---------------------------------------------------------------------------------------------
  const basket = { linked: false, name: '', maskedPhone: '', count: null };
  const buttons = new Set();
  let activeDialog = null;
  let bindingWatch = null;
  let orderWatch = null;

  function renderAll() {
    buttons.forEach((button) => button.render());
  }

  function markLinked(info) {
    const details = asObject(info);
    basket.linked = true;
    if (typeof details.name === 'string' && details.name) basket.name = details.name;
    if (typeof details.masked_phone_number === 'string' && details.masked_phone_number) {
      basket.maskedPhone = details.masked_phone_number;
    }
    const count = toCount(details.count);
    if (count !== null) basket.count = count;
    if (activeDialog) activeDialog.close();
    renderAll();
    watchOrderComplete();
  }

  function markUnlinked() {
    basket.linked = false;
    basket.name = '';
    basket.maskedPhone = '';
    buttons.forEach((button) => button.closeMenu(false));
    renderAll();
  }

  function setCount(count) {
    if (count === null || count === basket.count) return;
    basket.count = count;
    renderAll();
  }

  // The binding finished through `source` (phone/QR in the app, or a trusted browser): switch the
  // page to bound and tell the merchant's page (PS-v1 listened to this event, docs/inpost-pay-api.md §7.4).
  function completeBinding(source, detail) {
    const info = Object.assign({}, asObject(detail), { basket_linked: true });
    markLinked(info);
    source.dispatchEvent(new CustomEvent('izi-binding-complete', { detail: info, bubbles: true, composed: true }));
  }

  // The merchant may also announce a binding it learned about (e.g. over its socket).
  document.addEventListener('izi-binding-complete', (event) => {
    const detail = event.detail;
    if (detail && detail.basket_linked === false) return;
    markLinked(detail);
  });

  // One iziGetIsBound() at a time, shared by the phone and QR tabs (both wait for the same
  // confirmation: InPost calling POST /v1/izi/basket/{id}/confirmation, docs/inpost-pay-api.md §3.2).
  function waitForBinding() {
    if (!bindingWatch) {
      bindingWatch = driver.isBound().finally(() => { bindingWatch = null; });
    }
    return bindingWatch;
  }

  // Synchronization of a basket and an order (UC.04) step 12: once the basket is linked, watch for the order, once per page. A rejection
  // is retried after 2 s (a few times); an empty answer means "no order yet" and is asked again.
  function watchOrderComplete() {
    if (orderWatch) return;
    const hasWatcher = [...buttons].some((button) => button.place !== THANK_YOU_PAGE);
    if (!hasWatcher) return; // the thank-you page itself must not redirect again
    orderWatch = (async () => {
      let failures = 0;
      while (basket.linked && failures < ORDER_MAX_FAILURES) {
        let result;
        try {
          result = await driver.orderComplete();
          failures = 0;
        } catch (error) {
          if (error instanceof MissingCallback) { logProblem('order watching off', error); return; }
          failures += 1;
          logProblem(`iziGetOrderComplete failed (${failures}/${ORDER_MAX_FAILURES})`, error);
          await delay(ORDER_RETRY_MS);
          continue;
        }
        if (handleOrderComplete(result)) return;
        await delay(ORDER_RETRY_MS);
      }
    })().finally(() => { orderWatch = null; });
  }

  function handleOrderComplete(result) {
    const answer = asObject(result);
    const redirect = safeUrl(answer.redirect);
    if (redirect) {
      const target = new URL(redirect, window.location.href);
      if (target.href === window.location.href) return true; // already there: never loop
      buttons.forEach((button) => button.announce(strings(button.lang).redirecting));
      window.location.href = target.href;
      return true;
    }
    if (answer.action === 'handled') return true; // the driver dealt with it (Widget 2.0: handleBasketEvent)
    if (answer.action === 'refresh') { window.location.reload(); return true; } // PS-v1 variant
    if (answer.action === 'delete') { markUnlinked(); return true; }
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // Small DOM helpers.
  // ---------------------------------------------------------------------------------------------
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : value);
    });
    children.flat().forEach((child) => {
      if (child !== null && child !== undefined && child !== false) {
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
      }
    });
    return node;
  }

  const ICONS = {
    bag: ['M5 8h14l-1.2 12.2a1 1 0 0 1-1 .8H7.2a1 1 0 0 1-1-.8L5 8Z', 'M9 10V7a3 3 0 0 1 6 0v3'],
    bagPlus: ['M5 8h14l-1.2 12.2a1 1 0 0 1-1 .8H7.2a1 1 0 0 1-1-.8L5 8Z', 'M9 10V7a3 3 0 0 1 6 0v3', 'M12 12v5', 'M9.5 14.5h5'],
    more: ['M12 5.5h.01', 'M12 12h.01', 'M12 18.5h.01'],
    close: ['M6 6l12 12', 'M18 6 6 18'],
    phone: ['M8 3h8a1 1 0 0 1 1 1v16a1 1 0 0 1-1 1H8a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1Z', 'M11 18h2'],
    unlink: ['M9 15 15 9', 'M10 6l1-1a4 4 0 0 1 6 6l-1 1', 'M14 18l-1 1a4 4 0 0 1-6-6l1-1'],
  };

  function icon(name, className) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', className || 'icon');
    ICONS[name].forEach((d) => {
      const path = document.createElementNS(ns, 'path');
      path.setAttribute('d', d);
      svg.append(path);
    });
    return svg;
  }

  // The unbound button's mark: an original drawing (a parcel in a dark rounded tile), standing
  // in for InPost's artwork, which the sandbox does not copy.
  function inpostMark() {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'icon inpost-mark');
    const shapes = [
      ['rect', { x: '1.5', y: '1.5', width: '21', height: '21', rx: '5', fill: '#1D1D1B', stroke: 'none' }],
      ['path', { d: 'M12 5.5 18 8.6v6.8L12 18.5 6 15.4V8.6Z', fill: 'none', stroke: '#FFCD00', 'stroke-width': '1.8', 'stroke-linejoin': 'round' }],
      ['path', { d: 'M6 8.6 12 11.7 18 8.6M12 11.7v6.8', fill: 'none', stroke: '#FFCD00', 'stroke-width': '1.8', 'stroke-linejoin': 'round' }],
    ];
    shapes.forEach(([tag, attrs]) => {
      const node = document.createElementNS(ns, tag);
      Object.entries(attrs).forEach(([name, value]) => node.setAttribute(name, value));
      svg.append(node);
    });
    return svg;
  }

  function brandMark() {
    // "InPost" + "Pay" with a real space between, so the accessible name reads "InPost Pay".
    return h('span', { class: 'mark', part: 'mark' }, h('span', { class: 'in', text: 'InPost' }), ' ',
      h('span', { class: 'pay', text: 'Pay' }));
  }

  function spinner(className) {
    return h('span', { class: className ? `spinner ${className}` : 'spinner', 'aria-hidden': 'true' });
  }

  function focusables(container) {
    return [...container.querySelectorAll('button, a[href], input, select, textarea, [tabindex]')]
      .filter((node) => !node.disabled && node.tabIndex >= 0 && node.getClientRects().length > 0);
  }

  // InPost's masked form ("60*****00", docs/inpost-pay-api.md §3.2) when the app did not send one.
  function maskPhone(number) {
    if (number.length < 5) return number;
    return number.slice(0, 2) + '*'.repeat(number.length - 4) + number.slice(-2);
  }

  function formatPhone(prefix, number) {
    return `${prefix} ${number.replace(/(\d{3})(?=\d)/g, '$1 ')}`;
  }

  // Widget contract (task brief): digits only, 9 digits for +48, 6-12 elsewhere.
  function validatePhone(prefix, raw) {
    const compact = raw.replace(/[\s-]/g, '');
    if (!compact) return { error: 'phoneEmpty' };
    if (compact.startsWith('+')) return { error: 'phoneNoPrefix' };
    if (!/^\d+$/.test(compact)) return { error: 'phoneDigits' };
    if (prefix === '+48' && compact.length !== 9) return { error: 'phonePl' };
    if (prefix !== '+48' && (compact.length < 6 || compact.length > 12)) return { error: 'phoneLength' };
    return { number: compact };
  }

  // InPost's qr_code is a base64 PNG; accept a data/http URL or SVG markup as well.
  function qrImageSource(qr) {
    const value = String(qr).trim();
    if (/^(data:image\/|https?:|blob:|\/)/i.test(value)) return value;
    if (value.startsWith('<')) return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(value)}`;
    if (value.startsWith('PHN2Zy') || value.startsWith('PD94')) return `data:image/svg+xml;base64,${value}`;
    return `data:image/png;base64,${value}`;
  }

  // ---------------------------------------------------------------------------------------------
  // The binding dialog: phone number or QR code, then wait for the shopper's "yes" in the app
  // (DESIGN §3 flow 2). A native <dialog> opened with showModal() sits in the top layer, so no
  // transform or overflow on the merchant's page can clip it, and the rest of the page is inert.
  // ---------------------------------------------------------------------------------------------
  class BindingDialog {
    constructor(owner) {
      this.owner = owner;
      this.lang = null;
      this.phone = { prefix: '+48', number: '' };
      this.tab = 'phone';
      this.qrData = null;
      this.qrLoadingFor = null;
      this.sendingFor = null;
      this.attempt = 0;
      this.el = h('dialog', { class: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'izi-dialog-title', part: 'dialog' });
      this.el.addEventListener('close', () => this.onClosed());
      this.el.addEventListener('keydown', (event) => this.trapFocus(event));
      // A click on the backdrop lands on the <dialog> itself (the sheet fills its box).
      this.el.addEventListener('click', (event) => { if (event.target === this.el) this.close(); });
      owner.shadowRoot.append(this.el);
    }

    get t() {
      return strings(this.lang);
    }

    open() {
      if (activeDialog && activeDialog !== this) activeDialog.close();
      this.lang = this.owner.lang;
      this.tab = 'phone';
      this.qrData = null;
      this.attempt += 1; // answers of an earlier opening no longer touch the view
      this.build();
      this.showPhoneForm();
      activeDialog = this;
      this.el.showModal();
      this.phoneInput.focus();
    }

    close() {
      if (this.el.open) this.el.close();
    }

    onClosed() {
      if (activeDialog === this) activeDialog = null;
      this.attempt += 1;
      this.owner.focusMain();
    }

    trapFocus(event) {
      if (event.key !== 'Tab') return;
      const items = focusables(this.el);
      if (!items.length) return;
      const first = items[0];
      const last = items[items.length - 1];
      const active = this.owner.shadowRoot.activeElement;
      if (event.shiftKey && (active === first || !this.el.contains(active))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || !this.el.contains(active))) {
        event.preventDefault();
        first.focus();
      }
    }

    build() {
      const t = this.t;
      this.tabs = {
        phone: h('button', { type: 'button', role: 'tab', id: 'izi-tab-phone', class: 'tab', 'aria-controls': 'izi-panel-phone', text: t.tabPhone }),
        qr: h('button', { type: 'button', role: 'tab', id: 'izi-tab-qr', class: 'tab', 'aria-controls': 'izi-panel-qr', text: t.tabQr }),
      };
      this.panels = {
        phone: h('div', { role: 'tabpanel', id: 'izi-panel-phone', class: 'panel', 'aria-labelledby': 'izi-tab-phone' }),
        qr: h('div', { role: 'tabpanel', id: 'izi-panel-qr', class: 'panel', 'aria-labelledby': 'izi-tab-qr' }),
      };
      Object.entries(this.tabs).forEach(([name, tab]) => {
        tab.addEventListener('click', () => this.selectTab(name, false));
      });
      const tablist = h('div', { role: 'tablist', class: 'tabs', 'aria-label': t.dialogTitle, onkeydown: (event) => this.onTabKey(event) },
        this.tabs.phone, this.tabs.qr);
      this.el.replaceChildren(h('div', { class: 'sheet' },
        h('div', { class: 'head' },
          h('span', { class: 'brand' }, brandMark()),
          h('button', { type: 'button', class: 'close', 'aria-label': t.close, onclick: () => this.close() }, icon('close'))),
        h('h2', { id: 'izi-dialog-title', text: t.dialogTitle }),
        h('p', { class: 'intro', text: t.dialogIntro }),
        tablist, this.panels.phone, this.panels.qr));
      this.selectTab('phone', false);
    }

    selectTab(name, moveFocus) {
      this.tab = name;
      Object.entries(this.tabs).forEach(([key, tab]) => {
        const selected = key === name;
        tab.setAttribute('aria-selected', String(selected));
        tab.tabIndex = selected ? 0 : -1; // roving tabindex: arrows move between tabs
        this.panels[key].hidden = !selected;
      });
      if (moveFocus) this.tabs[name].focus();
      if (name === 'qr' && !this.qrData && this.qrLoadingFor !== this.attempt) this.loadQr();
    }

    onTabKey(event) {
      const order = ['phone', 'qr'];
      const index = order.indexOf(this.tab);
      let next = null;
      if (event.key === 'ArrowRight') next = order[(index + 1) % order.length];
      else if (event.key === 'ArrowLeft') next = order[(index + order.length - 1) % order.length];
      else if (event.key === 'Home') next = order[0];
      else if (event.key === 'End') next = order[order.length - 1];
      if (!next) return;
      event.preventDefault();
      this.selectTab(next, true);
    }

    // --- phone tab --------------------------------------------------------------------------
    showPhoneForm(focus) {
      const t = this.t;
      this.prefixSelect = h('select', { id: 'izi-prefix', 'aria-label': t.prefix, autocomplete: 'tel-country-code' },
        PREFIXES.map((prefix) => h('option', { value: prefix, selected: prefix === this.phone.prefix, text: `${prefix} ${t.countries[prefix]}` })));
      this.phoneInput = h('input', {
        id: 'izi-phone', type: 'tel', inputmode: 'numeric', autocomplete: 'tel-national', value: this.phone.number,
        'aria-describedby': 'izi-phone-hint izi-phone-error',
        oninput: () => this.showPhoneError(null),
      });
      this.phoneError = h('p', { id: 'izi-phone-error', class: 'error' });
      this.sendButton = h('button', { type: 'submit', class: 'cta' }, t.send);
      const form = h('form', { novalidate: true, onsubmit: (event) => { event.preventDefault(); this.submitPhone(); } },
        h('div', { class: 'field' },
          h('label', { for: 'izi-phone', text: t.phone }),
          h('div', { class: 'phone-row' }, this.prefixSelect, this.phoneInput),
          this.phoneError,
          h('p', { id: 'izi-phone-hint', class: 'hint', text: t.phoneHint })),
        this.sendButton);
      this.panels.phone.replaceChildren(form);
      if (focus) this.phoneInput.focus();
    }

    showPhoneError(key) {
      this.phoneError.textContent = key ? this.t[key] : '';
      if (key) this.phoneInput.setAttribute('aria-invalid', 'true');
      else this.phoneInput.removeAttribute('aria-invalid');
    }

    submitPhone() {
      if (this.sendingFor === this.attempt) return;
      const prefix = this.prefixSelect.value;
      const checked = validatePhone(prefix, this.phoneInput.value);
      this.phone = { prefix, number: this.phoneInput.value.trim() };
      if (checked.error) {
        this.showPhoneError(checked.error);
        this.phoneInput.focus();
        return;
      }
      this.phone.number = checked.number;
      this.sendPhone();
    }

    async sendPhone() {
      const attempt = this.attempt;
      const { prefix, number } = this.phone;
      this.sendingFor = attempt;
      if (this.sendButton.isConnected) {
        this.sendButton.setAttribute('aria-disabled', 'true');
        this.sendButton.replaceChildren(spinner(), this.t.sending);
      } else { // a retry from the error view
        const sending = h('p', { tabindex: '-1', text: this.t.sending });
        this.panels.phone.replaceChildren(h('div', { class: 'waiting', role: 'status' }, spinner('big'), sending));
        if (this.tab === 'phone') sending.focus();
      }
      try {
        // With a phone number the merchant asks InPost to push the basket to the app (POST .../binding, PHONE).
        await driver.bindingData(prefix, number);
      } catch (error) {
        logProblem('iziGetBindingData (phone) failed', error);
        if (attempt === this.attempt) this.showError('phone', this.t.failed);
        return;
      } finally {
        if (this.sendingFor === attempt) this.sendingFor = null;
      }
      if (attempt !== this.attempt) return;
      const heading = h('h3', { tabindex: '-1', text: this.t.waitTitle });
      this.panels.phone.replaceChildren(h('div', { class: 'waiting' },
        spinner('big'), heading,
        h('p', null, fillNodes(this.t.waitPhone, { phone: h('strong', { class: 'nowrap', text: formatPhone(prefix, number) }) })),
        h('button', { type: 'button', class: 'ghost', text: this.t.changeNumber, onclick: () => this.showPhoneForm(true) })));
      heading.focus(); // the form is gone: keep focus inside the dialog
      this.awaitBinding('phone');
    }

    // --- QR tab -----------------------------------------------------------------------------
    async loadQr() {
      const attempt = this.attempt;
      const t = this.t;
      this.qrLoadingFor = attempt;
      this.panels.qr.replaceChildren(h('div', { class: 'waiting', role: 'status' }, spinner('big'), h('p', { text: t.qrLoading })));
      let data;
      try {
        // Without a phone number the merchant asks for a DEEP_LINK binding: {qr_code, deep_link, deep_link_hms}.
        data = asObject(await driver.bindingData());
        if (!data.qr_code && !safeUrl(data.deep_link)) throw new Error('iziGetBindingData() gave neither qr_code nor deep_link');
      } catch (error) {
        logProblem('iziGetBindingData (QR) failed', error);
        if (attempt === this.attempt) this.showError('qr', t.failed);
        return;
      } finally {
        if (this.qrLoadingFor === attempt) this.qrLoadingFor = null;
      }
      if (attempt !== this.attempt) return;
      this.qrData = data;
      const links = [[data.deep_link, t.deepLink], [data.deep_link_hms, t.deepLinkHms]]
        .filter(([url]) => safeUrl(url))
        .map(([url, label]) => h('a', { href: safeUrl(url), class: 'link-button', rel: 'noopener' }, icon('phone'), label));
      this.panels.qr.replaceChildren(h('div', { class: 'qr' },
        data.qr_code ? h('p', { class: 'hint', text: t.qrIntro }) : null,
        data.qr_code ? h('img', { src: qrImageSource(data.qr_code), alt: t.qrAlt, width: '200', height: '200' }) : null,
        links.length ? h('p', { class: 'or', text: t.qrOnPhone }) : null,
        links.length ? h('div', { class: 'links' }, links) : null));
      this.awaitBinding('qr');
    }

    // --- both tabs --------------------------------------------------------------------------
    awaitBinding(tab) {
      const attempt = this.attempt;
      const typed = tab === 'phone' ? this.phone.number : '';
      waitForBinding().then((detail) => {
        const confirmed = Boolean(detail) && asObject(detail).basket_linked !== false;
        if (!confirmed) {
          if (attempt === this.attempt) this.showError(tab, this.t.rejected);
          return;
        }
        if (basket.linked) return; // the other tab (or the merchant's event) finished it already
        const info = Object.assign({}, asObject(detail));
        if (!info.masked_phone_number && typed) info.masked_phone_number = maskPhone(typed);
        completeBinding(this.owner, info);
        this.owner.announce(strings(this.owner.lang).linked);
      }, (error) => {
        logProblem('iziGetIsBound failed', error);
        if (attempt === this.attempt && this.el.open) this.showError(tab, this.t.failed);
      });
    }

    showError(tab, message) {
      const t = this.t;
      const retry = h('button', { type: 'button', class: 'cta', text: t.retry, onclick: () => this.retry(tab) });
      this.panels[tab].replaceChildren(h('div', { class: 'failure' },
        h('p', { role: 'alert', class: 'error', text: message }),
        retry,
        tab === 'phone' ? h('button', { type: 'button', class: 'ghost', text: t.changeNumber, onclick: () => this.showPhoneForm(true) }) : null));
      if (this.tab === tab && this.el.open) retry.focus();
    }

    retry(tab) {
      if (tab === 'qr') {
        this.qrData = null;
        this.loadQr();
      } else {
        this.sendPhone();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // <inpost-izi-button>
  // ---------------------------------------------------------------------------------------------
  class InPostIziButton extends HTMLElement {
    static get observedAttributes() {
      return ['data-product-id', 'binding_place', 'basket', 'count', 'name', 'masked_phone_number', 'language', 'variant', 'dark_mode', 'variation'];
    }

    constructor() {
      super();
      this.attachShadow({ mode: 'open' });
      adoptStyles(this.shadowRoot);
      this.availability = 'checking'; // checking | ready | cannot | unavailable
      this.busy = false;
      this.menuOpen = false;
      this.checkToken = 0;
      this.message = { text: '', tone: '' };
      this.dialog = null;
      this.started = false; // attributeChangedCallback also runs during the upgrade, before connectedCallback

      this.main = h('button', { type: 'button', class: 'main', part: 'button', 'aria-describedby': 'izi-status', onclick: () => this.onMainClick() });
      this.more = h('button', { type: 'button', class: 'more', part: 'more', hidden: true, 'aria-controls': 'izi-menu', onclick: () => this.toggleMenu() }, icon('more'));
      this.openAppItem = h('button', { type: 'button', class: 'menu-item', onclick: () => this.openInApp() });
      this.unlinkItem = h('button', { type: 'button', class: 'menu-item danger', onclick: () => this.unlink() });
      this.menu = h('div', { id: 'izi-menu', class: 'menu', part: 'menu', role: 'group', hidden: true }, this.openAppItem, this.unlinkItem);
      this.status = h('p', { id: 'izi-status', class: 'status', part: 'status', role: 'status', 'aria-live': 'polite' });
      this.note = h('p', { class: 'thanks', hidden: true });
      this.wrap = h('div', { class: 'wrap', part: 'wrap' },
        h('div', { class: 'row' }, this.main, this.more), this.menu, this.note, this.status);
      this.shadowRoot.append(this.wrap);

      this.menu.addEventListener('keydown', (event) => {
        if (event.key === 'Escape') { event.stopPropagation(); this.closeMenu(true); }
      });
      this.addEventListener('inpost-update-count', (event) => this.onUpdateCount(event));
      this.onDocumentClick = (event) => {
        if (this.menuOpen && !event.composedPath().includes(this)) this.closeMenu(false);
      };
    }

    // --- attributes -------------------------------------------------------------------------
    get lang() {
      const value = (this.getAttribute('language') || '').toLowerCase();
      return STRINGS[value] ? value : 'pl';
    }

    get place() {
      const value = (this.getAttribute('binding_place') || '').trim().toUpperCase();
      if (value) return value;
      if (this.getAttribute('basket') === 'true') return 'BASKET_SUMMARY';
      return this.productId ? PRODUCT_CARD : 'BASKET_SUMMARY';
    }

    get productId() {
      return this.getAttribute('data-product-id') || undefined;
    }

    get isProductCard() {
      return this.place === PRODUCT_CARD;
    }

    connectedCallback() {
      buttons.add(this);
      document.addEventListener('click', this.onDocumentClick);
      // Attributes carry the state the merchant rendered the page with (Synchronization of a basket and an order (UC.04) step 7).
      const count = toCount(this.getAttribute('count'));
      if (count !== null && basket.count === null) basket.count = count;
      if (this.getAttribute('masked_phone_number')) {
        markLinked({ name: this.getAttribute('name'), masked_phone_number: this.getAttribute('masked_phone_number') });
      }
      this.started = true;
      this.render();
      this.refresh();
    }

    disconnectedCallback() {
      this.started = false;
      buttons.delete(this);
      document.removeEventListener('click', this.onDocumentClick);
      if (this.dialog) this.dialog.close();
    }

    attributeChangedCallback(name, oldValue, value) {
      if (!this.started || oldValue === value) return;
      if (name === 'count') {
        setCount(toCount(value));
      } else if (name === 'masked_phone_number' || name === 'name') {
        const phone = this.getAttribute('masked_phone_number');
        if (phone) markLinked({ name: this.getAttribute('name'), masked_phone_number: phone });
        else if (name === 'masked_phone_number' && basket.linked) markUnlinked();
      } else if (name === 'data-product-id' || name === 'binding_place' || name === 'basket') {
        this.refresh();
      } else {
        this.render();
      }
    }

    // --- talking to the merchant ------------------------------------------------------------
    /** Ask the merchant (iziCanBeBound) whether this button can be used; Synchronization of a basket and an order (UC.04) steps 4-6. */
    async refresh(options) {
      const quiet = Boolean(options && options.quiet);
      const token = ++this.checkToken;
      if (this.place === THANK_YOU_PAGE) {
        this.availability = 'ready';
        this.render();
        return;
      }
      if (!quiet) {
        this.availability = 'checking';
        this.render();
      }
      let answer;
      try {
        await driver.ready(); // Widget 2.0: InPost's configuration first; it may be unreachable
        answer = await driver.canBeBound(this.isProductCard ? this.productId : undefined);
      } catch (error) {
        logProblem('iziCanBeBound failed', error);
        if (token === this.checkToken) {
          this.availability = 'unavailable';
          this.render();
        }
        return;
      }
      if (token !== this.checkToken) return; // a newer check (attribute change) wins
      if (answer && typeof answer === 'object') {
        this.availability = answer.can_be_bound === false ? 'cannot' : 'ready';
        // browser_trusted needs nothing here: the merchant binds a trusted browser in iziAddToCart (Synchronization of a basket and an order (UC.04) step 9).
        const count = toCount(answer.count);
        if (count !== null) basket.count = count;
        if (answer.basket_linked === true) markLinked(answer);
        else if (answer.basket_linked === false && basket.linked) markUnlinked();
      } else {
        this.availability = answer ? 'ready' : 'cannot';
      }
      renderAll();
    }

    onMainClick() {
      if (this.busy || this.main.disabled || this.place === THANK_YOU_PAGE) return;
      if (this.isProductCard) this.addProduct();
      else if (basket.linked) this.toggleMenu();
      else this.openDialog();
    }

    /**
     * Product card: the product goes into the shop basket first (iziAddToCart). A linked basket, or
     * a trusted browser the merchant bound with PUT /v1/izi/basket/{id} (Synchronization of a basket and an order (UC.04) step 9), needs no
     * app step; otherwise the shopper links the basket in the dialog.
     */
    async addProduct() {
      this.setBusy(true);
      let result;
      try {
        result = asObject(await driver.addToCart(this.productId));
      } catch (error) {
        logProblem('iziAddToCart failed', error);
        this.setBusy(false);
        this.announce(strings(this.lang).addFailed, 'error');
        return;
      }
      this.setBusy(false);
      setCount(toCount(result.count));
      const linkedNow = result.basket_linked === true || (result.basket_linked === undefined && basket.linked);
      if (linkedNow && basket.linked) {
        this.announce(strings(this.lang).added);
      } else if (linkedNow) {
        completeBinding(this, result);
        this.announce(strings(this.lang).linked);
        // iziAddToCart answers {count, basket_linked}; the name and phone come from iziCanBeBound.
        if (!basket.name && !basket.maskedPhone) this.refresh({ quiet: true });
      } else {
        if (basket.linked) markUnlinked(); // the merchant says the binding is gone
        this.openDialog();
      }
    }

    openDialog() {
      if (!this.dialog) this.dialog = new BindingDialog(this);
      this.dialog.open();
    }

    async openInApp() {
      try {
        const answer = await driver.mobileLink();
        const link = safeUrl(typeof answer === 'string' ? answer : asObject(answer).link);
        if (!link) throw new Error('iziMobileLink() gave no link');
        this.closeMenu(false);
        window.location.href = link;
      } catch (error) {
        logProblem('iziMobileLink failed', error);
        this.announce(strings(this.lang).openAppFailed, 'error');
      }
    }

    async unlink() {
      try {
        await driver.bindingDelete();
      } catch (error) {
        logProblem('iziBindingDelete failed', error);
        this.announce(strings(this.lang).unlinkFailed, 'error');
        return;
      }
      markUnlinked();
      this.announce(strings(this.lang).unlinked);
      this.focusMain();
    }

    // The merchant tells every button about basket changes (docs/inpost-pay-api.md §7.4; Synchronization of a basket and an order (UC.04) steps 10-11).
    onUpdateCount(event) {
      const detail = event.detail;
      const details = asObject(detail);
      const count = toCount(detail && typeof detail === 'object' ? details.count : detail);
      setCount(count);
      if (details.basket_linked === true && (count === null ? basket.count : count) > 0) markLinked(details);
      else if (details.basket_linked === false && basket.linked) markUnlinked();
    }

    // --- view -------------------------------------------------------------------------------
    setBusy(busy) {
      // aria-disabled rather than disabled: a disabled button would drop the keyboard focus.
      this.busy = busy;
      this.render();
    }

    focusMain() {
      if (this.isConnected && !this.main.disabled) this.main.focus();
    }

    announce(text, tone) {
      this.message = { text, tone: tone || '' };
      clearTimeout(this.messageTimer);
      this.messageTimer = setTimeout(() => { this.message = { text: '', tone: '' }; this.render(); }, ANNOUNCEMENT_MS);
      this.render();
    }

    toggleMenu() {
      if (this.menuOpen) this.closeMenu(false);
      else {
        this.menuOpen = true;
        this.render();
      }
    }

    closeMenu(returnFocus) {
      if (!this.menuOpen) return;
      this.menuOpen = false;
      this.render();
      if (returnFocus) (this.isProductCard ? this.more : this.main).focus();
    }

    render() {
      const t = strings(this.lang);
      const productCard = this.isProductCard;
      const thankYou = this.place === THANK_YOU_PAGE;
      const { availability } = this;
      this.wrap.className = ['wrap', ...styleClasses(this)].join(' ');
      const showLinked = basket.linked && availability !== 'unavailable';
      const blocked = availability === 'checking' || availability === 'unavailable'
        || (availability === 'cannot' && (productCard || !basket.linked));

      // Thank-you page: a note, nothing to click.
      this.main.parentElement.hidden = thankYou;
      this.note.hidden = !thankYou;
      if (thankYou) this.note.replaceChildren(brandMark(), h('span', { text: t.thankYou }));

      this.main.disabled = blocked;
      this.main.dataset.state = showLinked ? 'linked' : 'unlinked';
      ['aria-busy', 'aria-disabled'].forEach((name) => {
        if (this.busy) this.main.setAttribute(name, 'true');
        else this.main.removeAttribute(name);
      });

      if (showLinked) this.main.replaceChildren(...this.linkedContent(t, productCard));
      else {
        this.main.replaceChildren(this.busy ? spinner() : inpostMark(),
          h('span', { class: 'label', text: productCard ? t.createBasket : t.buy }));
      }
      if (showLinked && productCard) this.main.title = `${t.addToLinked} (InPost Pay)`;
      else this.main.removeAttribute('title');

      // The options (open in the app, unlink): the main button toggles them on basket places; on a
      // product card the main button adds the product (Synchronization of a basket and an order (UC.04) step 8), so a separate button does.
      const menuButton = showLinked ? (productCard ? this.more : this.main) : null;
      if (!menuButton) this.menuOpen = false;
      this.more.hidden = !(showLinked && productCard);
      this.more.setAttribute('aria-label', t.options);
      [this.main, this.more].forEach((button) => {
        if (button === menuButton) {
          button.setAttribute('aria-expanded', String(this.menuOpen));
          button.setAttribute('aria-controls', 'izi-menu');
        } else {
          button.removeAttribute('aria-expanded');
          if (button === this.main) button.removeAttribute('aria-controls');
        }
      });
      if (!showLinked && !productCard) this.main.setAttribute('aria-haspopup', 'dialog');
      else this.main.removeAttribute('aria-haspopup');
      this.menu.hidden = !this.menuOpen;
      this.menu.setAttribute('aria-label', t.options);
      this.openAppItem.replaceChildren(icon('phone'), t.openApp);
      this.unlinkItem.replaceChildren(icon('unlink'), t.unlink);

      let text = this.message.text;
      let tone = this.message.tone;
      if (availability === 'unavailable') { text = t.unavailable; tone = 'error'; }
      else if (availability === 'cannot' && blocked) { text = productCard ? t.cannotProduct : t.cannotBasket; tone = ''; }
      if (this.status.textContent !== text) this.status.textContent = text;
      this.status.dataset.tone = tone;
    }

    // Linked: "InPost Pay | name / masked phone | basket + count". On a product card a click adds the
    // product, shown by the bag-plus icon and said in the accessible name (the text stays short
    // enough for a 390 px wide phone).
    linkedContent(t, productCard) {
      const parts = [
        productCard ? h('span', { class: 'sr-only', text: `${t.addToLinked}: ` }) : null,
        brandMark(),
        h('span', { class: 'who' },
          h('span', { class: 'l1', text: basket.name || t.linkedFallback }),
          basket.maskedPhone ? h('span', { class: 'l2', text: basket.maskedPhone }) : null),
        h('span', { class: 'basket' },
          this.busy ? spinner() : icon(productCard ? 'bagPlus' : 'bag'),
          basket.count !== null ? h('span', { class: 'count-badge', part: 'badge', 'aria-hidden': 'true', text: String(basket.count) }) : null),
      ];
      if (basket.count !== null) parts.push(h('span', { class: 'sr-only', text: `, ${itemsText(this.lang, basket.count)}` }));
      return parts.filter(Boolean);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Styles (InPost's yellow and dark). A constructed stylesheet where supported, else <style>.
  // ---------------------------------------------------------------------------------------------
  const CSS = `
:host { display: block; max-width: 420px; color: #1D1D1B; font: 500 16px/1.35 "Montserrat", system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  --izi-yellow: #FFCD00; --izi-yellow-hover: #F0BF00; --izi-dark: #1D1D1B; --izi-dark-2: #3C3C3C; --izi-muted: #575755; --izi-line: #D7D7D4; --izi-error: #B3261E; }
:host([hidden]) { display: none; }
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
button { font: inherit; color: inherit; }
.wrap { display: grid; gap: 6px; }
.wrap.dark { background: var(--izi-dark); color: #fff; padding: 10px; border-radius: 16px; }
.row { display: flex; gap: 6px; align-items: stretch; }
.main, .more { min-height: 52px; border: 2px solid var(--izi-yellow); border-radius: 12px; background: var(--izi-yellow); color: var(--izi-dark); cursor: pointer;
  transition: background-color .15s ease, border-color .15s ease; }
.main { flex: 1 1 auto; min-width: 0; display: flex; align-items: center; justify-content: center; gap: 10px; padding: 6px 16px; font-weight: 700; text-align: left; }
.main[data-state="linked"] { justify-content: flex-start; }
.more { flex: none; width: 52px; display: grid; place-items: center; padding: 0; }
.main:hover, .more:hover { background: var(--izi-yellow-hover); border-color: var(--izi-yellow-hover); }
.wrap.secondary .main, .wrap.secondary .more { background: #fff; border-color: var(--izi-dark); }
.wrap.secondary .main:hover, .wrap.secondary .more:hover { background: #FFF6CC; }
.wrap.dark.secondary .main, .wrap.dark.secondary .more { background: transparent; border-color: var(--izi-yellow); color: #fff; }
.wrap.dark.secondary .main:hover, .wrap.dark.secondary .more:hover { background: var(--izi-dark-2); }
.main[aria-busy] { cursor: progress; }
.main:disabled, .wrap.secondary .main:disabled { background: #ECECEA; border-color: #ECECEA; color: var(--izi-muted); cursor: not-allowed; }
.wrap.dark .main:disabled { background: var(--izi-dark-2); border-color: var(--izi-dark-2); color: #CFCFCC; }
:focus-visible { outline: 3px solid var(--izi-dark); outline-offset: 2px; }
.wrap.dark :focus-visible { outline-color: #fff; }
.icon { width: 22px; height: 22px; flex: none; fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }
.more .icon { stroke-width: 3.2; }
.label { overflow-wrap: anywhere; }
.mark { display: inline-flex; align-items: center; gap: 3px; flex: none; font-weight: 800; letter-spacing: -.02em; white-space: nowrap; }
.mark .pay { background: var(--izi-dark); color: var(--izi-yellow); border-radius: 6px; padding: 0 6px; }
.wrap.dark.secondary .mark .pay { background: var(--izi-yellow); color: var(--izi-dark); }
.main:disabled .mark .pay { background: var(--izi-muted); color: #fff; }
.who { display: grid; flex: 1 1 auto; min-width: 0; border-left: 1.5px solid currentColor; padding-left: 10px; }
.who .l1, .who .l2 { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.who .l2 { font-size: .84rem; font-weight: 600; }
.basket { position: relative; display: inline-flex; flex: none; margin: 0 8px 0 auto; }
.basket .spinner { margin: 2px; }
.count-badge { position: absolute; top: -8px; right: -10px; min-width: 20px; height: 20px; padding: 0 5px; border-radius: 10px; display: grid; place-items: center;
  background: var(--izi-dark); color: #fff; font-size: .75rem; font-weight: 800; line-height: 1; }
.wrap.dark.secondary .count-badge { background: var(--izi-yellow); color: var(--izi-dark); }
.menu { display: grid; gap: 2px; padding: 6px; border: 1px solid var(--izi-line); border-radius: 12px; background: #fff; box-shadow: 0 8px 24px rgba(29,29,27,.12); }
.menu-item { display: flex; align-items: center; gap: 10px; min-height: 44px; padding: 8px 12px; border: 0; border-radius: 8px; background: transparent; color: var(--izi-dark);
  font-weight: 600; text-align: left; cursor: pointer; }
.menu-item:hover { background: #FFF3BF; }
.menu-item.danger { color: var(--izi-error); }
.status { margin: 0; font-size: .875rem; color: var(--izi-muted); }
.status:empty { display: none; }
.status[data-tone="error"] { color: var(--izi-error); font-weight: 600; }
.wrap.dark .status { color: #E2E2DF; }
.wrap.dark .status[data-tone="error"] { color: #FFB4AB; }
.thanks { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 0; padding: 10px 14px; border-radius: 12px; background: #FFF6CC; color: var(--izi-dark); font-size: .95rem; }
.spinner { width: 18px; height: 18px; flex: none; border-radius: 50%; border: 3px solid currentColor; border-right-color: transparent; animation: izi-spin .8s linear infinite; }
.spinner.big { width: 44px; height: 44px; border-width: 4px; border-color: var(--izi-yellow); border-right-color: transparent; }
@keyframes izi-spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spinner { animation-duration: 2.5s; } }
@media (max-width: 420px) {
  .main { padding: 6px 12px; gap: 8px; }
  .sheet { padding: 16px 18px 18px; }
  .dialog h2 { font-size: 1.15rem; }
}
.sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }

.dialog { width: min(440px, calc(100vw - 24px)); max-height: calc(100dvh - 24px); margin: auto; padding: 0; border: 0; border-radius: 18px; overflow: auto;
  background: #fff; color: var(--izi-dark); box-shadow: 0 24px 60px rgba(0,0,0,.35); }
.dialog::backdrop { background: rgba(29,29,27,.6); }
.sheet { padding: 18px 22px 22px; }
.head { display: flex; align-items: center; justify-content: space-between; gap: 12px; }
.brand { display: inline-flex; padding: 6px 10px; border-radius: 10px; background: var(--izi-yellow); }
.close { width: 44px; height: 44px; flex: none; display: grid; place-items: center; border: 0; border-radius: 50%; background: #F1F1EF; cursor: pointer; }
.close:hover { background: #E4E4E1; }
.dialog h2 { margin: 14px 0 4px; font-size: 1.3rem; line-height: 1.25; }
.intro { margin: 0 0 16px; color: var(--izi-muted); font-size: .95rem; }
.tabs { display: flex; gap: 4px; padding: 4px; margin-bottom: 18px; border-radius: 12px; background: #F1F1EF; }
.tab { flex: 1; min-height: 44px; padding: 0 8px; border: 0; border-radius: 9px; background: transparent; color: var(--izi-muted); font-weight: 700; white-space: nowrap; cursor: pointer; }
.tab[aria-selected="true"] { background: #fff; color: var(--izi-dark); box-shadow: 0 1px 4px rgba(0,0,0,.16); }
.field { display: grid; grid-template-columns: minmax(0, 1fr); gap: 8px; }
.field label { font-weight: 700; font-size: .95rem; }
.phone-row { display: flex; gap: 8px; }
select, input { height: 50px; min-width: 0; padding: 0 12px; border: 1.5px solid #8A8A87; border-radius: 10px; background: #fff; color: inherit; font: inherit; font-size: 16px; }
select { flex: 0 1 9.5rem; width: 9.5rem; }
input { flex: 1 1 8rem; width: 8rem; letter-spacing: .04em; } /* a basis, not the size=20 default, so it fits 390 px */
input[aria-invalid="true"] { border-color: var(--izi-error); box-shadow: 0 0 0 1px var(--izi-error); }
.hint { margin: 0; color: var(--izi-muted); font-size: .87rem; }
.error { margin: 0; color: var(--izi-error); font-size: .92rem; font-weight: 700; }
.error:empty { display: none; }
.cta, .ghost, .link-button { width: 100%; min-height: 50px; display: flex; align-items: center; justify-content: center; gap: 8px; padding: 8px 16px;
  border-radius: 12px; font-weight: 700; cursor: pointer; text-decoration: none; }
.cta { margin-top: 18px; border: 2px solid var(--izi-yellow); background: var(--izi-yellow); color: var(--izi-dark); }
.cta:hover { background: var(--izi-yellow-hover); border-color: var(--izi-yellow-hover); }
.cta[aria-disabled="true"] { cursor: progress; }
.ghost, .link-button { border: 2px solid var(--izi-dark); background: #fff; color: var(--izi-dark); }
.ghost:hover, .link-button:hover { background: #FFF6CC; }
.waiting { display: grid; justify-items: center; gap: 10px; padding: 8px 0 4px; text-align: center; }
.waiting h3 { margin: 4px 0 0; font-size: 1.1rem; }
.waiting p { margin: 0; color: var(--izi-muted); }
.nowrap { white-space: nowrap; color: var(--izi-dark); }
.waiting .ghost { margin-top: 8px; }
.qr { display: grid; justify-items: center; gap: 12px; text-align: center; }
.qr img { width: 216px; height: 216px; padding: 8px; border: 1px solid var(--izi-line); border-radius: 12px; background: #fff; image-rendering: pixelated; }
.qr .or { margin: 4px 0 0; font-weight: 700; }
.links { display: grid; gap: 8px; width: 100%; }
.failure { display: grid; gap: 10px; }
.failure .cta { margin-top: 4px; }
.wrap.round .main, .wrap.round .more { border-radius: 999px; }
.wrap.square .main, .wrap.square .more { border-radius: 0; }
.wrap.size-xs .main, .wrap.size-xs .more { min-height: 36px; font-size: 13px; }
.wrap.size-sm .main, .wrap.size-sm .more { min-height: 44px; font-size: 14px; }
.wrap.size-lg .main, .wrap.size-lg .more { min-height: 58px; font-size: 17px; }
.wrap.size-xl .main, .wrap.size-xl .more { min-height: 64px; font-size: 18px; }
`;

  let sharedSheet = null;
  function adoptStyles(root) {
    if ('adoptedStyleSheets' in Document.prototype && 'replaceSync' in CSSStyleSheet.prototype) {
      if (!sharedSheet) {
        sharedSheet = new CSSStyleSheet();
        sharedSheet.replaceSync(CSS);
      }
      root.adoptedStyleSheets = [sharedSheet];
    } else {
      root.append(h('style', { text: CSS }));
    }
  }


  // The style tokens of Widget 2.0's `variation` attribute (frame `rounded`|`round`|none = square,
  // `dark`, `primary`, `size-xs`..`size-xl`), or Widget 1.0's `variant` and `dark_mode`.
  function styleClasses(el) {
    const variation = el.getAttribute('variation');
    if (variation === null) {
      return [el.getAttribute('variant') === 'secondary' ? 'secondary' : 'primary',
        el.getAttribute('dark_mode') === 'true' ? 'dark' : '', 'rounded'].filter(Boolean);
    }
    const tokens = variation.toLowerCase().split(/\s+/).filter(Boolean);
    const frame = tokens.includes('round') ? 'round' : (tokens.includes('rounded') ? 'rounded' : 'square');
    const size = tokens.find((token) => /^size-(xs|sm|md|lg|xl)$/.test(token));
    return [tokens.includes('primary') ? 'primary' : 'secondary', tokens.includes('dark') ? 'dark' : '', frame, size || '']
      .filter(Boolean);
  }

  function define(contractDriver) {
    if (!window.customElements || window.customElements.get(TAG)) return null;
    driver = contractDriver;
    window.customElements.define(TAG, InPostIziButton);
    return {
      markLinked,
      markUnlinked,
      setCount,
      refreshAll: () => buttons.forEach((button) => button.refresh({ quiet: true })),
      get linked() { return basket.linked; },
    };
  }

  window.InPostPayWidgetUI = { define, describeBrowser, base64Json, logProblem, delay, asObject, safeUrl, toCount, MissingCallback };
})();
