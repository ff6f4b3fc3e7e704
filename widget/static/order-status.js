/*
 * order-status.js: the thank-you / order page of an InPost Pay order follows its payment live
 * (docs/architecture.md#the-flows step 7): "Nieopłacone" -> "Opłacone" (or "Płatność odrzucona") as soon as InPost's
 * order event reaches the shop, which pushes `order-status` to the room of this order.
 *
 * The page names its order in `<div data-izi-order data-order-id data-token>`; izi-socket.js
 * passes both in the connect `auth`, and the server lets the socket in only for its own order.
 * REST twin: GET /izi/order-status/<id>?token=..., asked on every (re)join and while the socket is down.
 */
(() => {
  'use strict';

  const node = document.querySelector('[data-izi-order]');
  const sockets = window.IziSocket;
  if (!node || !sockets) return;
  const log = window.IziLog || { add() {} };
  const api = node.dataset.statusUrl;
  let shown = null;

  function setBadge(badge, code, label, tone, attribute) {
    badge.textContent = label;
    badge.setAttribute(attribute, code);
    badge.className = badge.className.replace(/\bord-badge--\w+/g, '').trim() + ` ord-badge--${tone}`;
  }

  function show(data) {
    if (!data || String(data.order_id) !== node.dataset.orderId) return;
    document.querySelectorAll('[data-payment-status]').forEach((badge) => setBadge(badge, data.payment_status, data.payment_label, data.payment_tone, 'data-payment-status'));
    document.querySelectorAll('[data-order-status]').forEach((badge) => setBadge(badge, data.status, data.status_label, data.status_tone, 'data-order-status'));
    // The page picks its message (thanks, or "the payment failed: pay again in the app") by tone.
    document.querySelectorAll('[data-payment-tone]').forEach((page) => { page.dataset.paymentTone = data.payment_tone; });
    document.querySelectorAll('[data-payment-part]').forEach((part) => { part.hidden = data.payment_label === data.status_label; });
    const live = node.querySelector('[data-izi-payment-live]');
    if (live) live.textContent = `Płatność: ${data.payment_label}`;
    if (shown !== data.payment_status) {
      if (shown !== null || data.payment_status !== 'UNPAID') log.add(`Płatność: ${data.payment_label}`, data.payment_tone === 'bad' ? 'error' : (data.payment_tone === 'ok' ? 'ok' : ''));
      shown = data.payment_status;
    }
  }

  sockets.on('order-status', show);
  sockets.keepInSync(() => fetch(api, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } })
    .then((response) => (response.ok ? response.json() : null))
    .then(show));
})();
