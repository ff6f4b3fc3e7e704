// Binding requests (docs/architecture.md#the-flows step 2): a shop asked InPost to link a basket with this phone.
// Accepting makes InPost call the merchant's /confirmation; the basket is linked only when the
// shop answers with a valid basket, otherwise the contract violations are shown here.
// "Zaufaj tej przeglądarce" = trust_browser (Synchronization of a basket and an order (UC.04) step 9): later baskets from that browser
// link with no question.
import { enc } from "../api.js";
import { errorBox } from "../errors.js";
import { h, replaceContent, uid } from "../dom.js";
import { bindingPlace, dateTime, money, phone, plural } from "../format.js";
import { empty, frame, thumb } from "./frame.js";

const STATUS_TEXT = {
  ACCEPTED: "Prośba zaakceptowana — koszyk znajdziesz w zakładce Koszyki.",
  REJECTED: "Prośba odrzucona — koszyk nie został połączony.",
  CANCELLED: "Prośba anulowana (sklep wysłał nową prośbę albo koszyk połączono inaczej).",
  EXPIRED: "Prośba wygasła (prośby są ważne 15 minut). Poproś sklep o nową.",
};

/** Per-request UI state that must survive re-renders (checkbox, busy, last error). */
function cardState() {
  const trust = new Map();
  const busy = new Set();
  const errors = new Map();
  return { trust, busy, errors };
}

function requestCard(request, ctx, state, rerender) {
  const titleId = uid("request-title");
  const trustId = `trust-${request.id}`;
  const busy = state.busy.has(request.id);
  const summary = request.basket_summary;
  const browser = request.browser || {};
  const browserText = [browser.platform, browser.device_type, browser.user_agent].filter(Boolean).join(" · ");

  async function decide(accept) {
    state.busy.add(request.id);
    state.errors.delete(request.id);
    rerender();
    try {
      if (accept) {
        const { basket } = await ctx.api.post(`/requests/${enc(request.id)}/accept`,
          { trust_browser: Boolean(state.trust.get(request.id)) });
        ctx.toast("Koszyk połączony z aplikacją");
        ctx.navigate(`#/koszyk/${enc(basket.inpost_basket_id)}`);
      } else {
        await ctx.api.post(`/requests/${enc(request.id)}/reject`);
        ctx.toast("Prośba odrzucona");
      }
      ctx.refresh();
    } catch (error) {
      if (ctx.failed(error)) return;
      state.errors.set(request.id, error);
    } finally {
      state.busy.delete(request.id);
      rerender();
    }
  }

  const error = state.errors.get(request.id);
  return h("article", { class: "card request", "aria-labelledby": titleId, "aria-busy": busy ? "true" : null },
    h("div", { class: "card-head" },
      h("h2", { id: titleId, class: "card-title" }, request.merchant?.name || "Sklep"),
      h("span", { class: "muted small" }, dateTime(request.created_at))),
    h("p", {}, "Sklep prosi o połączenie koszyka z numerem ",
      h("strong", {}, phone(ctx.user?.phone_number)),
      request.binding_place ? ` (prośba ${bindingPlace(request.binding_place)}).` : "."),
    summary ? h("div", { class: "request-basket" },
      h("div", { class: "thumbs" }, summary.product_images.slice(0, 3).map((src) => thumb(src, "sm"))),
      h("span", {}, plural(summary.products_count, "produkt", "produkty", "produktów"), " · ",
        h("strong", {}, money(summary.basket_final_price)))) : null,
    browserText ? h("p", { class: "muted small" }, "Przeglądarka: ", browserText) : null,
    request.error && !error ? h("p", { class: "muted small" }, "Poprzednia próba: ", request.error) : null,
    error ? errorBox(error) : null,
    h("div", { class: "check" },
      h("input", { type: "checkbox", id: trustId, checked: Boolean(state.trust.get(request.id)), disabled: busy,
        "aria-describedby": `${trustId}-hint`,
        onchange: (event) => state.trust.set(request.id, event.target.checked) }),
      h("label", { for: trustId }, "Zaufaj tej przeglądarce"),
      h("p", { class: "hint", id: `${trustId}-hint` }, "Kolejne koszyki z tej przeglądarki połączą się bez pytania.")),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "btn btn-primary", disabled: busy, onclick: () => decide(true) },
        busy ? "Łączenie…" : "Akceptuj"),
      h("button", { type: "button", class: "btn btn-secondary", disabled: busy, onclick: () => decide(false) },
        "Odrzuć")),
  );
}

/** #/prosby: every live request for this phone (the poller hands the list in). */
export function mount(root, ctx) {
  const { body } = frame(root, "Prośby o połączenie");
  const state = cardState();
  let list = null;

  function rerender() {
    if (list === null) return;
    replaceContent(body, list.length
      ? list.map((request) => requestCard(request, ctx, state, rerender))
      : empty("Brak próśb", "Gdy sklep poprosi o połączenie koszyka z Twoim numerem, prośba pojawi się tutaj."));
  }

  let last = "";
  return {
    onRequests(requests) {
      const key = JSON.stringify(requests);
      if (key === last) return;
      last = key;
      list = requests;
      rerender();
    },
  };
}

/** #/prosba/<id>: one request, opened from a link (/app/?request=<id>, deep_link_hms). */
export function mountOne(root, ctx, requestId) {
  const { body } = frame(root, "Prośba o połączenie", { back: "#/prosby", backLabel: "Wszystkie prośby" });
  const state = cardState();
  let request = null;
  let failure = null;
  let last = "";

  function rerender() {
    if (failure) {
      replaceContent(body, errorBox(failure), h("a", { class: "btn btn-secondary", href: "#/prosby" }, "Wszystkie prośby"));
      return;
    }
    if (!request) return;
    replaceContent(body, request.status === "PENDING"
      ? requestCard(request, ctx, state, rerender)
      : h("div", { class: "card" },
        h("h2", { class: "card-title" }, request.merchant?.name || "Sklep"),
        h("p", { role: "status" }, STATUS_TEXT[request.status] || request.status),
        request.status === "ACCEPTED" ? h("a", { class: "btn btn-primary", href: "#/koszyki" }, "Przejdź do koszyków") : null));
  }

  async function refresh() {
    if (state.busy.size) return;
    try {
      request = (await ctx.api.get(`/requests/${enc(requestId)}`)).request;
      failure = null;
    } catch (error) {
      if (ctx.failed(error)) return;
      failure = error;
    }
    const key = JSON.stringify([request, failure && failure.code]);
    if (key !== last) {
      last = key;
      rerender();
    }
  }

  refresh();
  return { refresh };
}
