/*
 * izi-socket.js: the page's line to the shop's Socket.IO namespace /izi (docs/architecture.md#interfaces).
 *
 *   IziSocket.on('basket', (data) => ...)       // a server event: inpost-update-count, binding,
 *                                              // basket, order-complete, order-status; or the
 *                                              // local ones: joined, down
 *   IziSocket.keepInSync(check)                 // run check() now, after every (re)join, and every
 *                                              // 2 s while the socket is down: REST catches up on
 *                                              // whatever a push could have missed
 *   IziSocket.follow(basketRef)                 // the session has another basket now: reconnect
 *
 * The server puts the socket in its basket's room from the session cookie of the handshake; the
 * page never names a room. A thank-you page asks to follow its order by passing the order id and
 * its secret token in the connect `auth` (from the `[data-izi-order]` element).
 */
(() => {
  'use strict';

  const POLL_MS = 2000;
  const listeners = new Map();
  const syncers = new Set();
  let socket = null;
  let joined = false;
  let basketRef = null;
  let pollTimer = null;
  let wantedRef = null; // the basket the shop's answers say this session has now
  let retries = 0;
  const MAX_RETRIES = 3;
  // "websocket" when the shop runs several processes on one port (no sticky sessions): the
  // socket opens as a WebSocket at once, one connection to one process (README "Deploy").
  const TRANSPORTS = ((document.currentScript && document.currentScript.dataset.transports) || '')
    .split(',').filter(Boolean);

  function fire(event, data) {
    (listeners.get(event) || []).forEach((fn) => {
      try {
        fn(data);
      } catch (error) {
        console.warn(`[izi] handler of ${event} failed`, error);
      }
    });
  }

  function runSyncers() {
    syncers.forEach((check) => Promise.resolve().then(check).catch((error) => console.warn('[izi] catch-up failed', error)));
  }

  function poll() {
    if (pollTimer || joined) return;
    pollTimer = setInterval(() => {
      if (joined) { clearInterval(pollTimer); pollTimer = null; return; }
      runSyncers();
    }, POLL_MS);
  }

  function reconnect() {
    joined = false;
    socket.disconnect();
    socket.connect();
  }

  function orderAuth() {
    const node = document.querySelector('[data-izi-order]');
    if (!node) return {};
    return { order_id: node.dataset.orderId, token: node.dataset.token || undefined };
  }

  function start() {
    if (typeof window.io !== 'function') {
      console.warn('[izi] Socket.IO client missing: falling back to asking the shop every 2 s');
      poll();
      return;
    }
    const options = { auth: orderAuth() };
    if (TRANSPORTS.length) options.transports = TRANSPORTS;
    socket = window.io('/izi', options);
    socket.on('joined', (data) => {
      const ref = (data && data.basket_ref) || null;
      // A handshake that started before the session changed baskets joined the old room.
      if (wantedRef && ref !== wantedRef && retries < MAX_RETRIES) {
        retries += 1;
        reconnect();
        return;
      }
      retries = 0;
      joined = true;
      basketRef = ref;
      fire('joined', data);
      runSyncers(); // anything pushed while we were away is asked for now
    });
    socket.on('disconnect', (reason) => {
      joined = false;
      fire('down', reason);
      poll();
    });
    socket.on('connect_error', () => { joined = false; poll(); });
    ['inpost-update-count', 'binding', 'basket', 'order-complete', 'order-status'].forEach((event) => {
      socket.on(event, (data) => fire(event, data));
    });
  }

  window.IziSocket = {
    on(event, fn) {
      if (!listeners.has(event)) listeners.set(event, []);
      listeners.get(event).push(fn);
    },
    get connected() {
      return joined;
    },
    get basketRef() {
      return joined ? basketRef : null;
    },
    keepInSync(check) {
      syncers.add(check);
      Promise.resolve().then(check).catch((error) => console.warn('[izi] check failed', error));
      if (!joined) poll();
      return () => syncers.delete(check);
    },
    follow(ref) {
      // The socket joined its room from the cookie of its handshake; a new basket needs a new one.
      if (!socket || !ref) return;
      wantedRef = ref;
      if (ref === basketRef && joined) return;
      reconnect();
    },
  };

  start();
})();
