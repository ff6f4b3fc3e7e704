// Orders placed in the app (InPost Pay (Basket App) "Lista złożonych zamówień"): the merchant's own status
// label (order_merchant_status_description) and tracking numbers come from the merchant's
// order events (docs/inpost-pay-api.md §5.5), so polling shows them as soon as the shop sends them.
import { enc } from "../api.js";
import { errorBox } from "../errors.js";
import { h, icon, replaceContent } from "../dom.js";
import {
  dateTime, deliveryType, formatQuantity, grosze, money, orderStatus, paymentStatus, paymentType, plural, pln, thousandths,
} from "../format.js";
import { empty, frame, thumb } from "./frame.js";

const PAYMENT_TONE = { AUTHORIZED: "ok", COD: "ok", DECLINED: "bad", CANCELLED: "bad", ERROR: "bad" };

function statusPill(order) {
  return h("span", { class: `pill pill-${PAYMENT_TONE[order.payment_status] || "wait"}` }, paymentStatus(order.payment_status));
}

function tracking(order) {
  const numbers = order.delivery_references_list || [];
  if (!numbers.length) return null;
  return h("p", { class: "tracking" }, icon("truck"),
    h("span", {}, numbers.length > 1 ? "Numery przesyłek: " : "Numer przesyłki: ",
      numbers.map((n, i) => [i ? ", " : "", h("strong", { class: "mono" }, n)])));
}

function orderCard(order) {
  return h("li", {},
    h("a", { class: "card order-card", href: `#/zamowienie/${enc(order.order_id)}` },
      h("div", { class: "card-head" },
        h("span", { class: "card-title" }, order.merchant?.name || "Sklep"),
        h("span", { class: "price-strong" }, money(order.order_final_price))),
      h("p", { class: "muted small" }, `Zamówienie ${order.customer_order_id} · ${dateTime(order.order_creation_date)}`),
      h("div", { class: "order-status" },
        statusPill(order),
        order.order_merchant_status_description
          ? h("span", { class: "merchant-label" }, order.order_merchant_status_description) : null),
      tracking(order),
      h("p", { class: "muted small" }, plural(order.products_count, "produkt", "produkty", "produktów"), " · ",
        deliveryType(order.delivery_type))));
}

/** #/zamowienia */
export function mount(root, ctx) {
  const { body } = frame(root, "Zamówienia");
  let last = null;

  async function refresh() {
    try {
      const { orders } = await ctx.api.get("/orders");
      const key = JSON.stringify(orders);
      if (key === last) return;
      last = key;
      replaceContent(body, orders.length
        ? h("ul", { class: "card-list", "aria-label": "Twoje zamówienia" }, orders.map(orderCard))
        : empty("Nie masz jeszcze zamówień", "Zamówienia złożone w aplikacji pojawią się tutaj."));
    } catch (error) {
      if (ctx.failed(error)) return;
      last = null;
      replaceContent(body, errorBox(error));
    }
  }

  refresh();
  return { refresh };
}

const RESULT = {
  AUTHORIZED: ["ok", "Zamówienie opłacone", "Płatność autoryzowana. Sklep dostał zamówienie i informację o płatności."],
  COD: ["ok", "Zamówienie przyjęte", "Zapłacisz przy odbiorze przesyłki."],
  DECLINED: ["bad", "Płatność odrzucona", "Zamówienie czeka na zapłatę. Zapłać ponownie poniżej; sklep anuluje nieopłacone zamówienie po pewnym czasie."],
};

// Payment states from which the app offers paying again (docs/inpost-pay-api.md §8.8), unless the
// merchant has closed the order (ORDER_REJECTED / ORDER_COMPLETED take no more payments).
const RETRY_FROM = ["UNPAID", "DECLINED", "CANCELLED", "ERROR"];
const canPayAgain = (order) => RETRY_FROM.includes(order.payment_status) && order.order_status === "ORDER_PROCESSING";

/** "W realizacji" only once the order is paid (or paid on delivery): an unpaid order waits. */
function inpostStatus(order) {
  if (order.order_status === "ORDER_PROCESSING" && !["AUTHORIZED", "COD"].includes(order.payment_status)) {
    return "Czeka na płatność";
  }
  return orderStatus(order.order_status);
}

/** A line at regular prices: per piece for INTEGER, for the amount for DECIMAL (docs/inpost-pay-api.md §8.2). */
function regularTotal(product) {
  const unit = grosze(product.base_price);
  const pieces = thousandths(product.quantity?.quantity);
  if (product.quantity?.quantity_type === "DECIMAL" || pieces === null) return unit;
  return unit * Math.round(pieces / 1000);
}

/** What the shopper paid for the line: the merchant's quantity_price when it sends one. */
function paidTotal(product) {
  return product.quantity_price ? grosze(product.quantity_price) : regularTotal(product);
}

function lineTotal(product) {
  const paid = paidTotal(product);
  const regular = regularTotal(product);
  return h("span", { class: "line-total" },
    paid < regular ? [h("s", { class: "price-old", "aria-label": `Cena regularna ${pln(regular)}` }, pln(regular)), " "] : null,
    pln(paid));
}

/** Lines, discounts, delivery and total, so that they add up on the screen. */
function orderTotals(details, delivery, products) {
  const regular = products.reduce((sum, p) => sum + regularTotal(p), 0);
  const base = grosze(details.order_base_price);
  const discount = details.order_discount !== undefined && details.order_discount !== null
    ? grosze(details.order_discount) : regular - base;
  const options = delivery.delivery_options || [];
  const row = (label, value, cls) => [h("dt", { class: cls }, label), h("dd", { class: cls }, value)];
  return h("section", { class: "section summary", "aria-labelledby": "order-totals" },
    h("h2", { class: "section-title", id: "order-totals" }, "Podsumowanie"),
    h("dl", { class: "totals" },
      products.length ? row("Produkty w cenach regularnych", pln(regular)) : null,
      discount > 0 ? row("Rabaty (promocje i kody)", `−${pln(discount)}`, "discount") : null,
      row("Produkty razem", pln(base)),
      delivery.delivery_price ? row(`Dostawa (${deliveryType(delivery.delivery_type)})`, money(delivery.delivery_price)) : null,
      options.map((o) => row(o.delivery_name, money(o.delivery_option_price))),
      row("Razem", money(details.order_final_price), "grand")));
}

function orderDetail(order, result) {
  const doc = order.order || {};
  const details = doc.order_details || {};
  const delivery = doc.delivery || {};
  const address = delivery.delivery_address;
  const [tone, title, text] = RESULT[order.payment_status] || ["wait", "Zamówienie złożone", ""];
  return [
    result ? h("div", { class: `result result-${tone}`, role: "status" },
      h("span", { class: "result-icon" }, icon(tone === "bad" ? "cross" : "check")),
      h("p", { class: "result-title" }, title),
      text ? h("p", {}, text) : null) : null,
    h("section", { class: "card" },
      h("div", { class: "card-head" },
        h("h2", { class: "card-title" }, order.merchant?.name || "Sklep"),
        h("span", { class: "price-strong" }, money(order.order_final_price))),
      h("p", { class: "muted small" }, `Zamówienie ${order.customer_order_id} · ${dateTime(order.order_creation_date)}`),
      h("dl", { class: "facts" },
        h("dt", {}, "Płatność"), h("dd", {}, statusPill(order), " ", paymentType(order.payment_type)),
        h("dt", {}, "Status w sklepie"), h("dd", {}, order.order_merchant_status_description || "—"),
        h("dt", {}, "Status InPost"), h("dd", {}, inpostStatus(order)),
        h("dt", {}, "Dostawa"), h("dd", {}, deliveryType(order.delivery_type),
          delivery.delivery_point ? ` · paczkomat ${delivery.delivery_point}` : "",
          address ? ` · ${[address.address, address.postal_code, address.city].filter(Boolean).join(", ")}` : "",
          delivery.digital_delivery_email ? ` · ${delivery.digital_delivery_email}` : "")),
      tracking(order)),
    (doc.products || []).length ? h("section", { class: "section", "aria-labelledby": "order-products" },
      h("h2", { class: "section-title", id: "order-products" }, "Produkty"),
      h("ul", { class: "products compact" }, doc.products.map((p) => h("li", { class: "product" },
        thumb(p.product_image, "sm"),
        h("div", { class: "product-main" }, h("p", { class: "product-name" }, p.product_name),
          h("p", { class: "muted small" }, formatQuantity(p.quantity),
            p.quantity?.quantity_type === "DECIMAL" ? "" : ` × ${money(p.base_price)}`)),
        lineTotal(p))))) : null,
    details.order_final_price && details.order_base_price ? orderTotals(details, delivery, doc.products || []) : null,
    (order.events || []).length ? h("details", { class: "section events" },
      h("summary", {}, `Zdarzenia zamówienia (${order.events.length})`),
      h("ol", {}, order.events.map((e) => h("li", {},
        h("span", { class: "muted small" }, dateTime(e.time), " · ",
          e.direction === "to_merchant" ? "InPost → sklep" : "sklep → InPost",
          e.response_status ? ` · HTTP ${e.response_status}` : ""),
        h("pre", { class: "mono small" }, JSON.stringify(e.body?.event_data ?? e.body, null, 1)))))) : null,
  ];
}

function mountDetail(root, ctx, orderId, result) {
  const { body } = frame(root, result ? "Zamówienie złożone" : "Zamówienie",
    { back: "#/zamowienia", backLabel: "Wszystkie zamówienia" });
  let last = null;
  const retry = { outcome: "AUTHORIZED", busy: false, error: null };

  // A new payment attempt: InPost sends the merchant a new order event (AUTHORIZED or
  // DECLINED again), and the shop's thank-you page follows it live.
  async function payAgain(event) {
    event.preventDefault();
    retry.busy = true;
    retry.error = null;
    last = null;
    try {
      await ctx.api.post(`/orders/${enc(orderId)}/payment`, { outcome: retry.outcome });
    } catch (error) {
      if (ctx.failed(error)) return;
      retry.error = error;
    }
    retry.busy = false;
    last = null;
    refresh();
  }

  function retrySection(order) {
    if (!canPayAgain(order)) return null;
    return h("form", { class: "section card retry", onsubmit: payAgain, "aria-labelledby": "retry-title" },
      h("h2", { class: "section-title", id: "retry-title" }, "Zapłać ponownie"),
      h("p", {}, `Płatność ${paymentType(order.payment_type)} nie przeszła, więc zamówienie nie jest opłacone. `,
        "Spróbuj jeszcze raz; sklep dostanie nową informację o płatności."),
      h("fieldset", { class: "sandbox-control" },
        h("legend", { class: "hint" }, "Wynik płatności (kontrolka sandboxa)"),
        h("div", { class: "segmented" }, [["AUTHORIZED", "Autoryzowana"], ["DECLINED", "Odrzucona"]].map(([value, label]) => [
          h("input", { type: "radio", name: "retry-outcome", id: `retry-${value}`, value, checked: retry.outcome === value,
            onchange: () => { retry.outcome = value; } }),
          h("label", { for: `retry-${value}` }, label)]))),
      retry.error ? errorBox(retry.error) : null,
      h("button", { type: "submit", class: "btn btn-primary btn-block", disabled: retry.busy },
        retry.busy ? "Płacę…" : `Zapłać ${money(order.order_final_price)}`));
  }

  async function refresh() {
    try {
      const { order } = await ctx.api.get(`/orders/${enc(orderId)}`);
      const key = JSON.stringify(order);
      if (key === last) return;
      last = key;
      const parts = orderDetail(order, result);
      parts.splice(1, 0, retrySection(order)); // right under the result, where the eye is
      replaceContent(body, parts,
        result ? h("div", { class: "actions" },
          h("a", { class: "btn btn-primary", href: "#/zamowienia" }, "Moje zamówienia"),
          h("a", { class: "btn btn-secondary", href: "#/koszyki" }, "Koszyki")) : null);
    } catch (error) {
      if (ctx.failed(error)) return;
      last = null;
      replaceContent(body, errorBox(error));
    }
  }

  refresh();
  return { refresh };
}

/** #/zamowienie/<id> */
export function mountOne(root, ctx, orderId) {
  return mountDetail(root, ctx, orderId, false);
}

/** #/wynik/<id>: the checkout's result — paid, declined or to pay on delivery. */
export function mountResult(root, ctx, orderId) {
  return mountDetail(root, ctx, orderId, true);
}
