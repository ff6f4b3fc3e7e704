// #/koszyk/<id>: one basket in detail (InPost Pay (Basket App) "Szczegóły koszyka"). Every change here is an
// event InPost sends to the merchant (docs/inpost-pay-api.md §3.3: PRODUCTS_QUANTITY, PROMO_CODES,
// RELATED_PRODUCTS); the merchant answers with the whole basket, which replaces this view.
// A refused change comes back as the merchant's basket_notice (ERROR red, ATTENTION green),
// not as an error. Promo codes go in one at a time (InPost Pay (Basket App)).
import { enc } from "../api.js";
import { errorBox } from "../errors.js";
import { h, icon, replaceContent } from "../dom.js";
import { dateTime, grosze, money, pln, plural, quantityText, thousandths, timeLeft } from "../format.js";
import { empty, frame, loading, thumb } from "./frame.js";

// The basket JSON carries no step for DECIMAL quantities (docs/inpost-pay-api.md §4), so the stepper moves
// by 0.1 unit and the field takes any amount; a merchant with another step answers with a notice.
const DECIMAL_STEP = 100; // thousandths
const INTEGER_STEP = 1000;

function limitOf(quantity) {
  const limits = [quantity.max_quantity, quantity.available_quantity]
    .map(thousandths).filter((value) => value !== null);
  return limits.length ? Math.min(...limits) : null;
}

export function priceLine(product) {
  const perPiece = product.quantity?.quantity_type !== "DECIMAL";
  const unit = product.quantity?.quantity_unit;
  const suffix = perPiece ? ` / ${unit || "szt."}` : "";
  const promo = product.promo_price && grosze(product.promo_price) < grosze(product.base_price);
  return h("p", { class: "price-line" },
    promo
      ? [h("span", { class: "price-promo" }, money(product.promo_price), suffix), " ",
        h("s", { class: "price-old", "aria-label": `Cena bez promocji ${money(product.base_price)}` },
          money(product.base_price))]
      : h("span", {}, money(product.base_price), suffix),
    !perPiece ? h("span", { class: "muted" }, ` za ${quantityText(thousandths(product.quantity?.quantity) ?? 0, true)} ${unit || ""}`) : null);
}

/** The amount the shop offers a related product in: for a DECIMAL product the price shown
 * is for that amount ("8,90 zł za 0,1 kg"), so "Dodaj" adds exactly that. */
function offeredAmount(product) {
  return product.quantity?.quantity ?? 1;
}

/** INTEGER lines are priced per piece, DECIMAL lines for the chosen amount (docs/inpost-pay-api.md §8.2). */
function lineTotal(product) {
  const unit = grosze(product.promo_price || product.base_price);
  if (product.quantity?.quantity_type === "DECIMAL") return unit;
  return unit * Math.round((thousandths(product.quantity?.quantity) ?? 0) / 1000);
}

export function mount(root, ctx, basketId) {
  const { body } = frame(root, "Koszyk", { back: "#/koszyki", backLabel: "Wróć do koszyków" });
  const path = `/baskets/${enc(basketId)}`;
  const state = { detail: null, loadError: null, actionError: null, busy: null, promo: "", drafts: new Map(),
    confirmUnlink: false };
  let last = "";

  async function act(label, call) {
    state.busy = label;
    state.actionError = null;
    render();
    try {
      const answer = await call();
      if (answer && answer.basket) {
        state.detail = answer;
        // The merchant's verdict on this change; the banner may be scrolled out of view.
        if (answer.notice?.description) ctx.toast(answer.notice.description, answer.notice.type === "ERROR" ? "error" : "ok");
      }
      return answer;
    } catch (error) {
      if (ctx.failed(error)) return null;
      state.actionError = error;
      return null;
    } finally {
      state.busy = null;
      state.drafts.clear();
      last = JSON.stringify(state.detail);
      render();
    }
  }

  function setQuantity(product, scaled) {
    const integer = product.quantity?.quantity_type !== "DECIMAL";
    const quantity = integer ? Math.round(scaled / 1000) : quantityText(scaled);
    return act("Zmieniam ilość…", () => ctx.api.post(`${path}/quantity`, { product_id: product.product_id, quantity }));
  }

  function stepper(product) {
    const q = product.quantity || {};
    const integer = q.quantity_type !== "DECIMAL";
    const step = integer ? INTEGER_STEP : DECIMAL_STEP;
    const current = thousandths(q.quantity) ?? 0;
    const limit = limitOf(q);
    const inputId = `qty-${product.product_id}`;
    const name = product.product_name;
    const disabled = Boolean(state.busy);
    const draft = state.drafts.get(product.product_id);

    function commit(input) {
      const scaled = thousandths(input.value);
      if (scaled === null || scaled <= 0 || (integer && scaled % 1000 !== 0)) {
        state.actionError = { code: "INVALID_INPUT", message: integer
          ? `${name}: podaj liczbę całkowitą większą od zera.`
          : `${name}: podaj ilość większą od zera (najwyżej 3 miejsca po przecinku).`, violations: [] };
        state.drafts.delete(product.product_id);
        render();
        return;
      }
      if (scaled !== current) setQuantity(product, scaled);
    }

    return h("div", { class: "stepper", role: "group", "aria-label": `Zmień ilość: ${name}` },
      h("button", { type: "button", class: "step", "aria-label": `Zmniejsz ilość: ${name}`,
        disabled: disabled || current - step < step, onclick: () => setQuantity(product, current - step) }, "−"),
      h("input", { id: inputId, class: "step-input", type: "text", inputmode: integer ? "numeric" : "decimal",
        "aria-label": `Ilość: ${name}`, value: draft ?? quantityText(current, true), disabled,
        oninput: (event) => state.drafts.set(product.product_id, event.target.value),
        onchange: (event) => commit(event.target),
        onkeydown: (event) => { if (event.key === "Enter") { event.preventDefault(); commit(event.target); } } }),
      h("button", { type: "button", class: "step", "aria-label": `Zwiększ ilość: ${name}`,
        disabled: disabled || (limit !== null && current + step > limit), onclick: () => setQuantity(product, current + step) }, "+"),
      q.quantity_unit ? h("span", { class: "step-unit" }, q.quantity_unit) : null);
  }

  function productRow(product) {
    const name = product.product_name;
    const attributes = (product.product_attributes || []).slice(0, 2)
      .map((a) => `${a.attribute_name}: ${a.attribute_value}`).join(" · ");
    return h("li", { class: "product" },
      thumb(product.product_image),
      h("div", { class: "product-main" },
        h("p", { class: "product-name" }, name),
        attributes ? h("p", { class: "muted small" }, attributes) : null,
        priceLine(product),
        product.lowest_price ? h("p", { class: "muted small" }, `Najniższa cena z 30 dni: ${money(product.lowest_price)}`) : null),
      h("div", { class: "product-foot" },
        stepper(product),
        h("span", { class: "line-total" }, pln(lineTotal(product))),
        h("button", { type: "button", class: "icon-btn", "aria-label": `Usuń: ${name}`, disabled: Boolean(state.busy),
          onclick: () => act("Usuwam produkt…", () => ctx.api.del(`${path}/products/${enc(product.product_id)}`)) },
        icon("trash"))));
  }

  function promoSection(doc) {
    const codes = doc.promo_codes || [];
    async function add(event) {
      event.preventDefault();
      const code = state.promo.trim();
      if (!code) {
        state.actionError = { code: "INVALID_INPUT", message: "Wpisz kod rabatowy.", violations: [] };
        render();
        return;
      }
      const answer = await act("Sprawdzam kod…", () => ctx.api.post(`${path}/promo-codes`, { promo_code_value: code }));
      // Cleared only once the shop took the code: a refused one (an ERROR notice) stays to be fixed.
      const taken = (answer?.basket?.promo_codes || []).some((c) => (c.promo_code_value || "").toUpperCase() === code.toUpperCase());
      if (taken) state.promo = "";
      render();
    }
    return h("section", { class: "section", "aria-labelledby": "promo-title" },
      h("h2", { id: "promo-title", class: "section-title" }, "Kody rabatowe"),
      codes.length
        ? h("ul", { class: "chips", "aria-label": "Dodane kody" }, codes.map((code) => h("li", { class: "chip" },
          h("span", {}, code.promo_code_value, code.name && code.name !== code.promo_code_value
            ? h("span", { class: "muted" }, ` · ${code.name}`) : null),
          h("button", { type: "button", class: "chip-remove", "aria-label": `Usuń kod ${code.promo_code_value}`,
            disabled: Boolean(state.busy),
            onclick: () => act("Usuwam kod…", () => ctx.api.del(`${path}/promo-codes/${enc(code.promo_code_value)}`)) },
          icon("cross")))))
        : null,
      h("form", { class: "inline-form", onsubmit: add, novalidate: true },
        h("label", { for: "promo-input", class: "sr-only" }, "Kod rabatowy"),
        h("input", { id: "promo-input", type: "text", placeholder: "Wpisz kod rabatowy", autocomplete: "off",
          autocapitalize: "characters", spellcheck: "false", value: state.promo, "aria-label": "Kod rabatowy",
          oninput: (event) => { state.promo = event.target.value; } }),
        h("button", { type: "submit", class: "btn btn-secondary", disabled: Boolean(state.busy) }, "Dodaj kod")),
      (doc.promotions_available || []).length
        ? h("p", { class: "muted small" }, "Dostępne promocje: ",
          doc.promotions_available.map((p) => `${p.promo_code_value} — ${p.description}`).join("; "))
        : null);
  }

  function relatedSection(doc) {
    const related = doc.related_products || [];
    if (!related.length) return null;
    return h("section", { class: "section", "aria-labelledby": "related-title" },
      h("h2", { id: "related-title", class: "section-title" }, "Polecane przez sklep"),
      h("ul", { class: "related", "aria-label": "Polecane produkty" }, related.map((product) => h("li", { class: "related-card" },
        thumb(product.product_image, "lg"),
        h("p", { class: "related-name" }, product.product_name),
        priceLine(product),
        h("button", { type: "button", class: "btn btn-small btn-primary", "aria-label": `Dodaj: ${product.product_name}`,
          disabled: Boolean(state.busy),
          onclick: () => act("Dodaję produkt…", () => ctx.api.post(`${path}/related-products`,
            { product_id: product.product_id, quantity: offeredAmount(product) })) }, "Dodaj")))));
  }

  function summarySection(doc) {
    const summary = doc.summary || {};
    const base = grosze(summary.basket_base_price);
    const promo = summary.basket_promo_price ? grosze(summary.basket_promo_price) : base;
    const final = summary.basket_final_price ? grosze(summary.basket_final_price) : promo;
    const deliveries = (doc.delivery || []).map((d) => grosze(d.delivery_price));
    const row = (label, value, cls) => [h("dt", { class: cls }, label), h("dd", { class: cls }, value)];
    return h("section", { class: "section summary", "aria-labelledby": "summary-title" },
      h("h2", { id: "summary-title", class: "section-title" }, "Podsumowanie"),
      h("dl", { class: "totals" },
        row("Cena podstawowa", pln(base)),
        promo !== base ? row("Po promocjach", pln(promo)) : null,
        final !== promo ? row("Rabat z kodów", pln(final - promo), "discount") : null,
        row("Razem", pln(final), "grand")),
      h("p", { class: "muted small" }, "Bez kosztów dostawy", deliveryFrom(deliveries), "."),
      summary.basket_additional_information ? h("p", { class: "info" }, summary.basket_additional_information) : null);
  }

  /** " · dostawa od 9,99 zł", or " · dostawa gratis" when the cheapest costs nothing. */
  function deliveryFrom(deliveries) {
    if (!deliveries.length) return "";
    const cheapest = Math.min(...deliveries);
    return cheapest === 0 ? " · dostawa gratis" : ` · dostawa od ${pln(cheapest)}`;
  }

  function noticeBanner(notice) {
    if (!notice || !notice.description) return null;
    const error = notice.type === "ERROR";
    return h("div", { class: `alert ${error ? "alert-error" : "alert-attention"}`, role: error ? "alert" : "status" },
      h("p", { class: "alert-title" }, error ? "Wiadomość od sklepu" : "Sklep informuje"),
      h("p", { class: "alert-text" }, notice.description));
  }

  // The sandbox's contract check found what InPost's documents advise against (not refused):
  // shown to the developer testing the shop, as in the sandbox's log.
  function contractWarnings(warnings) {
    if (!warnings || !warnings.length) return null;
    return h("details", { class: "alert alert-warning" },
      h("summary", { class: "alert-title" }, `Uwagi sandboxa do koszyka sklepu (${warnings.length})`),
      h("ul", {}, warnings.map((w) => h("li", {}, h("code", {}, w.field), ": ", w.problem))));
  }

  function unlinkArea() {
    if (!state.confirmUnlink) {
      return h("button", { type: "button", class: "btn btn-ghost btn-block", disabled: Boolean(state.busy),
        onclick: () => { state.confirmUnlink = true; render(); document.getElementById("unlink-yes")?.focus(); } },
      "Odłącz koszyk");
    }
    return h("div", { class: "confirm", role: "group", "aria-label": "Potwierdź odłączenie" },
      h("p", {}, "Koszyk zniknie z aplikacji, a sklep dostanie informację o odłączeniu. Odłączyć?"),
      h("div", { class: "actions" },
        h("button", { id: "unlink-yes", type: "button", class: "btn btn-danger", disabled: Boolean(state.busy),
          onclick: async () => {
            state.confirmUnlink = false;
            const answer = await act("Odłączam…", () => ctx.api.del(path));
            if (answer && answer.unlinked) {
              ctx.toast("Koszyk odłączony");
              ctx.navigate("#/koszyki");
            }
          } }, "Tak, odłącz"),
        h("button", { type: "button", class: "btn btn-secondary", onclick: () => { state.confirmUnlink = false; render(); } },
          "Anuluj")));
  }

  function refreshFromShop() {
    return act("Pobieram koszyk ze sklepu…", () => ctx.api.post(`${path}/refresh`));
  }

  function render() {
    const { detail } = state;
    if (!detail) {
      replaceContent(body, state.loadError ? errorBox(state.loadError) : loading());
      return;
    }
    if (detail.expired) {
      replaceContent(body, empty("Koszyk wygasł", "Sklep ustalił datę ważności koszyka; po niej koszyk znika z aplikacji."),
        h("a", { class: "btn btn-secondary", href: "#/koszyki" }, "Wróć do koszyków"));
      return;
    }
    if (detail.status !== "BOUND") {
      const ordered = detail.status === "ORDERED";
      replaceContent(body, empty(ordered ? "Ten koszyk został zamówiony" : "Koszyk nie jest już połączony",
        ordered ? "Zamówienie znajdziesz w zakładce Zamówienia." : "Sklep albo Ty odłączyliście ten koszyk od aplikacji."),
      h("a", { class: "btn btn-secondary", href: ordered ? "#/zamowienia" : "#/koszyki" },
        ordered ? "Zobacz zamówienia" : "Wróć do koszyków"));
      return;
    }
    const doc = detail.basket;
    const products = doc.products || [];
    const expires = doc.summary?.basket_expiration_date;
    replaceContent(body,
      h("div", { class: "merchant-bar" },
        h("span", { class: "merchant-name" }, detail.merchant?.name || "Sklep"),
        expires ? h("span", { class: "muted small", title: dateTime(expires) }, `Wygasa ${timeLeft(expires)}`) : null),
      noticeBanner(detail.notice),
      contractWarnings(detail.warnings),
      state.actionError ? errorBox(state.actionError,
        state.actionError.code === "BASKET_CHANGED"
          ? h("button", { type: "button", class: "btn btn-small btn-secondary", onclick: refreshFromShop }, "Odśwież koszyk")
          : null) : null,
      state.busy ? h("div", { class: "busy", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), state.busy) : null,
      h("section", { class: "section", "aria-labelledby": "products-title" },
        h("h2", { id: "products-title", class: "section-title" },
          `Produkty (${plural(products.length, "pozycja", "pozycje", "pozycji")})`),
        products.length
          ? h("ul", { class: "products", "aria-label": "Produkty w koszyku" }, products.map(productRow))
          : empty("Koszyk jest pusty", "Dodaj produkt z polecanych albo w sklepie.")),
      promoSection(doc),
      relatedSection(doc),
      summarySection(doc),
      h("div", { class: "sticky-cta" },
        products.length
          ? h("a", { class: "btn btn-primary btn-block", href: `#/kasa/${enc(basketId)}` }, "Przejdź do kasy")
          : null),
      h("div", { class: "section secondary-actions" },
        unlinkArea(),
        h("button", { type: "button", class: "btn-link small", disabled: Boolean(state.busy), onclick: refreshFromShop },
          "Pobierz koszyk ponownie ze sklepu")));
  }

  async function refresh() {
    if (state.busy) return;
    try {
      const detail = await ctx.api.get(path);
      state.loadError = null;
      const key = JSON.stringify(detail);
      if (key === last || state.busy) return;
      last = key;
      state.detail = detail;
    } catch (error) {
      if (ctx.failed(error)) return;
      if (state.detail) return; // keep showing the basket; the next poll tries again
      state.loadError = error;
    }
    render();
  }

  render();
  refresh();
  return { refresh };
}
