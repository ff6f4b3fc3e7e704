// InPost Mobile simulator: the entry point. Owns the session, the hash router, the tab bar
// with the requests badge, the toast, and the one poller that keeps the current screen live
// (every data-poll-ms while the page is visible). Each screen lives in screens/*.js and
// exports mount(root, ctx, ...params) -> {refresh?, onRequests?, destroy?}.
import { createApi } from "./api.js";
import { h, icon } from "./dom.js";
import { phone } from "./format.js";
import { createPoller } from "./poll.js";
import * as basketsScreen from "./screens/baskets.js";
import * as basketScreen from "./screens/basket.js";
import * as checkoutScreen from "./screens/checkout.js";
import * as ordersScreen from "./screens/orders.js";
import * as requestsScreen from "./screens/requests.js";
import * as signinScreen from "./screens/signin.js";

const config = document.body.dataset;
const api = createApi(config.apiBase);
const root = document.getElementById("screen");
const tabbar = document.getElementById("tabbar");
const account = document.getElementById("account");
const toastEl = document.getElementById("toast");

// [hash pattern, mount function, tab it belongs to]
const ROUTES = [
  [/^#\/koszyki$/, basketsScreen.mount, "koszyki"],
  [/^#\/koszyk\/([^/]+)$/, basketScreen.mount, "koszyki"],
  [/^#\/kasa\/([^/]+)$/, checkoutScreen.mount, "koszyki"],
  [/^#\/zamowienia$/, ordersScreen.mount, "zamowienia"],
  [/^#\/zamowienie\/([^/]+)$/, ordersScreen.mountOne, "zamowienia"],
  [/^#\/wynik\/([^/]+)$/, ordersScreen.mountResult, "zamowienia"],
  [/^#\/prosby$/, requestsScreen.mount, "prosby"],
  [/^#\/prosba\/([^/]+)$/, requestsScreen.mountOne, "prosby"],
];

let user = null;
let current = null;
let requests = [];

const ctx = {
  api,
  get user() { return user; },
  navigate(hash) {
    if (location.hash === hash) show();
    else location.hash = hash;
  },
  toast,
  /** Ask the poller for fresh data now (after an action changed something). */
  refresh: () => poller.now(),
  /** A 401 from any call: the session is gone, back to signing in. */
  failed(error) {
    if (error && error.status === 401) {
      user = null;
      show();
      return true;
    }
    return false;
  },
  async signedIn(who) {
    user = who;
    renderAccount();
    if (!location.hash || location.hash === "#/" || location.hash === "#/koszyki") {
      // A binding request waiting for this phone (the shopper just typed the number into the
      // shop's widget): open it, rather than an empty basket list.
      try {
        requests = (await api.get("/requests")).requests;
      } catch {
        requests = [];
      }
      const target = requests.length ? "#/prosby" : "#/koszyki";
      if (location.hash === target) show(); else location.hash = target;
    } else {
      show();
    }
    poller.now();
  },
};

/** A short message above the tab bar; tone "error" | "ok" colours it. */
function toast(text, tone = "") {
  toastEl.textContent = text;
  toastEl.className = tone ? `toast toast-${tone}` : "toast";
  toastEl.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { toastEl.hidden = true; }, 3500);
}

function renderAccount() {
  account.replaceChildren();
  if (!user) return;
  account.append(
    h("span", { class: "account-who" },
      h("span", { class: "account-phone" }, phone(user.phone_number)),
      h("span", { class: "account-name" }, `${user.name} ${user.surname}`)),
    h("button", { type: "button", class: "btn-link", onclick: signOut }, "Wyloguj"),
  );
}

async function signOut() {
  try {
    await api.del("/session");
  } catch {
    // signing out locally is what matters
  }
  user = null;
  requests = [];
  location.hash = "#/koszyki";
  show();
}

function renderTabs(active) {
  tabbar.hidden = !user;
  for (const link of tabbar.querySelectorAll("a[data-tab]")) {
    if (link.dataset.tab === active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  renderBadge();
}

function renderBadge() {
  const badge = tabbar.querySelector(".badge");
  const count = requests.length;
  badge.textContent = count ? String(count) : "";
  badge.hidden = !count;
}

/** Mount the screen for the current hash (or the sign-in screen). */
function show() {
  current?.destroy?.();
  current = null;
  root.replaceChildren();
  renderAccount();
  if (!user) {
    renderTabs(null);
    current = signinScreen.mount(root, ctx);
    return;
  }
  const hash = location.hash || "#/koszyki";
  for (const [pattern, mount, tab] of ROUTES) {
    const match = pattern.exec(hash);
    if (match) {
      renderTabs(tab);
      current = mount(root, ctx, ...match.slice(1).map(decodeURIComponent)) || {};
      current.onRequests?.(requests);
      return;
    }
  }
  location.replace("#/koszyki");
}

/** One poll: the requests (badge) and the current screen's own data. */
async function tick() {
  if (!user) return;
  try {
    requests = (await api.get("/requests")).requests;
    renderBadge();
    current?.onRequests?.(requests);
  } catch (error) {
    if (ctx.failed(error)) return;
  }
  await current?.refresh?.();
}

const poller = createPoller(tick, Number(config.pollMs) || 1500);

window.addEventListener("hashchange", () => {
  show();
  // Move focus to the new screen's heading so keyboard and screen-reader users land on it.
  root.querySelector("h1")?.focus({ preventScroll: false });
  window.scrollTo(0, 0);
});

async function start() {
  // /app/izilink?basket_id= redirects to /app/?request=<id>: open that request directly.
  const opened = new URLSearchParams(location.search).get("request");
  if (opened) history.replaceState(null, "", `${location.pathname}#/prosba/${encodeURIComponent(opened)}`);
  try {
    user = (await api.get("/session")).user;
  } catch {
    user = null;
  }
  document.body.classList.remove("booting");
  show();
  if (user) await tick();
  poller.start();
}

tabbar.querySelector('a[data-tab="prosby"] .tab-icon').replaceWith(icon("requests"));
tabbar.querySelector('a[data-tab="koszyki"] .tab-icon').replaceWith(icon("basket"));
tabbar.querySelector('a[data-tab="zamowienia"] .tab-icon').replaceWith(icon("orders"));
start();
