// #/kasa/<id>: checkout in the app (docs/architecture.md#the-flows steps 6-7). The shopper picks a delivery from
// the basket's list (APM with a parcel locker, COURIER with an address, DIGITAL with an e-mail),
// its options (COD, PWW, ...), accepts the consents (docs/inpost-pay-api.md §8.6: REQUIRED_ONCE remembered per
// consent id and version for this phone, REQUIRED_ALWAYS asked every time), may ask for an
// invoice, picks a payment type and, as a sandbox control, the payment's outcome. The total is
// final + delivery + options (docs/inpost-pay-api.md §8.3), the amount InPost sends as basket_price.
import { enc } from "../api.js";
import { errorBox } from "../errors.js";
import { h, replaceContent } from "../dom.js";
import { day, deliveryType, grosze, money, paymentType, pln } from "../format.js";
import { empty, frame, loading } from "./frame.js";

// What InPost offers when the basket's payment_type list is empty (Basket Update: the merchant's
// payment-gateway defaults); mirrors sandbox/app_actions.py DEFAULT_PAYMENT_TYPES.
const DEFAULT_PAYMENT_TYPES = ["CARD", "BLIK_CODE", "PAY_BY_LINK", "GOOGLE_PAY", "APPLE_PAY"];
const REQUIREMENT_NOTE = {
  REQUIRED_ALWAYS: "wymagana przy każdym zamówieniu",
  REQUIRED_ONCE: "wymagana",
  OPTIONAL: "opcjonalna",
};

/** Consent text with its links: "#<id>" placeholders become links (docs/inpost-pay-api.md §8.6), or the
 * main link follows the text when there are none. */
function consentText(consent) {
  const links = new Map([[`#${consent.consent_id}`, { href: consent.consent_link, text: consent.label_link }]]);
  for (const extra of consent.additional_consent_links || []) {
    if (extra.id) links.set(`#${extra.id}`, { href: extra.consent_link, text: extra.label_link });
  }
  const anchor = (link, fallback) => h("a", { href: link.href, target: "_blank", rel: "noopener noreferrer" },
    link.text || fallback);
  const description = consent.consent_description || "";
  const pattern = new RegExp(`(${[...links.keys()].map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})`);
  const parts = description.split(pattern);
  if (parts.length > 1) return parts.map((part) => (links.has(part) ? anchor(links.get(part), "link") : part));
  const extras = (consent.additional_consent_links || []).filter((l) => !l.id || !description.includes(`#${l.id}`));
  return [description, consent.consent_link ? [" (", anchor(links.get(`#${consent.consent_id}`), "treść"), ")"] : null,
    extras.map((l) => [" (", anchor({ href: l.consent_link, text: l.label_link }, "więcej"), ")"])];
}

export function mount(root, ctx, basketId) {
  const { body } = frame(root, "Kasa", { back: `#/koszyk/${enc(basketId)}`, backLabel: "Wróć do koszyka" });
  const path = `/baskets/${enc(basketId)}`;
  const user = ctx.user;
  const form = {
    delivery_type: null,
    locker: null,
    lockerQuery: "",
    address: { name: `${user.name} ${user.surname}`, address: user.address.address, postal_code: user.address.postal_code,
      city: user.address.city },
    courier_note: "",
    email: user.mail,
    options: new Set(),
    consents: new Map(),
    invoiceOn: false,
    invoice: { legal_form: "PERSON", name: user.name, surname: user.surname, company_name: "", tax_id: "",
      street: "", building: "", flat: "", postal_code: user.address.postal_code, city: user.address.city },
    payment_type: null,
    outcome: "AUTHORIZED",
    order_comments: "",
  };
  const state = { detail: null, loadError: null, submitError: null, problems: [], busy: null, lockers: null,
    lockerError: null, changed: false };
  let last = "";
  let firstUpdate = null;

  // -- what the basket offers ---------------------------------------------------------------
  const doc = () => state.detail.basket;
  const deliveries = () => doc().delivery || [];
  const chosenDelivery = () => deliveries().find((d) => d.delivery_type === form.delivery_type) || null;
  const offeredOptions = () => chosenDelivery()?.delivery_options || [];
  const offersCod = () => offeredOptions().some((o) => o.delivery_code_value === "COD");

  function paymentTypes() {
    const listed = doc().summary?.payment_type || [];
    const types = listed.length ? [...listed] : [...DEFAULT_PAYMENT_TYPES];
    if (!listed.length && deliveries().some((d) => (d.delivery_options || []).some((o) => o.delivery_code_value === "COD"))) {
      types.push("CASH_ON_DELIVERY");
    }
    return types;
  }

  /** Products that cannot go by this delivery type (delivery_product, docs/inpost-pay-api.md §4). */
  function unavailableFor(type) {
    return (doc().products || []).filter((p) => (p.delivery_product || [])
      .some((d) => d.delivery_type === type && d.if_delivery_available === false)).map((p) => p.product_name);
  }

  function remembered(consent) {
    return consent.requirement_type === "REQUIRED_ONCE" && (state.detail.accepted_consents || [])
      .some((a) => a.consent_id === consent.consent_id && a.consent_version === consent.consent_version);
  }

  function keepChoicesValid() {
    const types = deliveries().map((d) => d.delivery_type);
    if (!types.includes(form.delivery_type)) {
      form.delivery_type = types.find((t) => !unavailableFor(t).length) || null;
      form.options.clear();
    }
    const codes = offeredOptions().map((o) => o.delivery_code_value);
    for (const code of [...form.options]) if (!codes.includes(code)) form.options.delete(code);
    if (form.payment_type === "CASH_ON_DELIVERY" && !offersCod()) form.payment_type = null;
    if (form.payment_type && !paymentTypes().includes(form.payment_type)) form.payment_type = null;
    if (form.delivery_type === "APM" && state.lockers === null) loadLockers();
  }

  function total() {
    const summary = doc().summary || {};
    const products = grosze(summary.basket_final_price || summary.basket_promo_price || summary.basket_base_price);
    const delivery = chosenDelivery() ? grosze(chosenDelivery().delivery_price) : 0;
    const options = offeredOptions().filter((o) => form.options.has(o.delivery_code_value))
      .map((o) => [o.delivery_name || o.delivery_code_value, grosze(o.delivery_option_price)]);
    return { products, delivery, options, sum: products + delivery + options.reduce((acc, [, v]) => acc + v, 0) };
  }

  // -- lockers (GET /app/api/lockers?q=) ---------------------------------------------------------
  let lockerTimer = null;
  async function loadLockers() {
    state.lockers = state.lockers || [];
    try {
      state.lockers = (await ctx.api.get(`/lockers?q=${enc(form.lockerQuery)}`)).lockers;
      state.lockerError = null;
    } catch (error) {
      if (ctx.failed(error)) return;
      state.lockerError = error;
    }
    render();
  }

  // -- form pieces -----------------------------------------------------------------------------
  const change = (fn) => (event) => { fn(event.target); render(); };
  const text = (obj, key) => (event) => { obj[key] = event.target.value; };

  function field(id, label, value, oninput, attrs = {}) {
    return h("div", { class: "field" }, h("label", { for: id }, label),
      h("input", { id, type: "text", value: value || "", oninput, ...attrs }));
  }

  function deliverySection() {
    return h("fieldset", { class: "section" },
      h("legend", { class: "section-title" }, "Dostawa"),
      h("div", { class: "choices" }, deliveries().map((delivery) => {
        const type = delivery.delivery_type;
        const id = `delivery-${type}`;
        const blocked = unavailableFor(type);
        const price = grosze(delivery.delivery_price);
        const freeFrom = delivery.free_delivery_minimum_gross_price;
        return h("div", { class: `choice${form.delivery_type === type ? " chosen" : ""}` },
          h("input", { type: "radio", name: "delivery", id, value: type, checked: form.delivery_type === type,
            disabled: blocked.length > 0, onchange: change(() => { form.delivery_type = type; form.options.clear(); keepChoicesValid(); }) }),
          h("label", { for: id },
            h("span", { class: "choice-main" }, h("span", {}, deliveryType(type)),
              h("span", { class: "choice-price" }, price ? pln(price) : "za darmo")),
            h("span", { class: "choice-sub" },
              delivery.delivery_date ? `Przewidywana dostawa: ${day(delivery.delivery_date)}` : "",
              freeFrom && price ? ` · darmowa od ${money(freeFrom)}` : "",
              blocked.length ? ` · niedostępna dla: ${blocked.join(", ")}` : "")));
      })),
      deliveryTarget(),
      optionsBlock());
  }

  function deliveryTarget() {
    if (form.delivery_type === "APM") {
      const lockers = state.lockers || [];
      return h("div", { class: "subsection" },
        h("div", { class: "field" },
          h("label", { for: "locker-search" }, "Szukaj paczkomatu"),
          h("input", { id: "locker-search", type: "search", placeholder: "Miasto, ulica albo kod, np. KRA010",
            value: form.lockerQuery, autocomplete: "off",
            oninput: (event) => {
              form.lockerQuery = event.target.value;
              clearTimeout(lockerTimer);
              lockerTimer = setTimeout(loadLockers, 250);
            } })),
        state.lockerError ? errorBox(state.lockerError) : null,
        h("fieldset", { class: "lockers" },
          h("legend", { class: "sr-only" }, "Paczkomat"),
          state.lockers === null ? loading("Ładowanie paczkomatów…") : null,
          state.lockers !== null && !lockers.length ? h("p", { class: "muted" }, "Brak paczkomatów dla tego wyszukiwania.") : null,
          lockers.map((locker) => {
            const id = `locker-${locker.code}`;
            return h("div", { class: `locker${form.locker === locker.code ? " chosen" : ""}` },
              h("input", { type: "radio", name: "locker", id, value: locker.code, checked: form.locker === locker.code,
                onchange: change(() => { form.locker = locker.code; }) }),
              h("label", { for: id },
                h("span", { class: "locker-code" }, locker.code), " ",
                h("span", {}, `${locker.street}, ${locker.postal_code} ${locker.city}`),
                h("span", { class: "choice-sub" }, locker.description)));
          })),
        form.locker && !lockers.some((l) => l.code === form.locker)
          ? h("p", { class: "muted small" }, `Wybrany paczkomat: ${form.locker}`) : null);
    }
    if (form.delivery_type === "COURIER") {
      const a = form.address;
      return h("div", { class: "subsection" },
        field("addr-name", "Imię i nazwisko", a.name, text(a, "name"), { autocomplete: "name" }),
        field("addr-street", "Ulica i numer", a.address, text(a, "address"), { autocomplete: "street-address" }),
        h("div", { class: "field-row" },
          h("div", { class: "field field-prefix" }, h("label", { for: "addr-postal" }, "Kod pocztowy"),
            h("input", { id: "addr-postal", type: "text", value: a.postal_code, autocomplete: "postal-code",
              inputmode: "numeric", oninput: text(a, "postal_code") })),
          h("div", { class: "field field-grow" }, h("label", { for: "addr-city" }, "Miasto"),
            h("input", { id: "addr-city", type: "text", value: a.city, autocomplete: "address-level2", oninput: text(a, "city") }))),
        h("div", { class: "field" }, h("label", { for: "courier-note" }, "Uwagi dla kuriera (opcjonalnie)"),
          h("textarea", { id: "courier-note", rows: "2", maxlength: "500", oninput: text(form, "courier_note") }, form.courier_note)));
    }
    if (form.delivery_type === "DIGITAL") {
      return h("div", { class: "subsection" },
        field("digital-email", "E-mail do dostawy", form.email, text(form, "email"), { type: "email", autocomplete: "email" }));
    }
    return null;
  }

  function optionsBlock() {
    const options = offeredOptions();
    if (!options.length) return null;
    return h("fieldset", { class: "subsection" },
      h("legend", { class: "subsection-title" }, "Usługi dodatkowe"),
      options.map((option) => {
        const code = option.delivery_code_value;
        const id = `option-${code}`;
        return h("div", { class: "check" },
          h("input", { type: "checkbox", id, checked: form.options.has(code),
            onchange: change((input) => {
              if (input.checked) form.options.add(code); else form.options.delete(code);
              // COD is paying on delivery: the two go together (Basket Update, docs/inpost-pay-api.md §8.5).
              if (code === "COD") form.payment_type = input.checked ? "CASH_ON_DELIVERY" : null;
            }) }),
          h("label", { for: id }, `${option.delivery_name || code} (+${money(option.delivery_option_price)})`,
            code === "COD" ? h("span", { class: "muted" }, " — zapłacisz przy odbiorze") : null));
      }));
  }

  function consentsSection() {
    const consents = doc().consents || [];
    if (!consents.length) return null;
    return h("fieldset", { class: "section" },
      h("legend", { class: "section-title" }, "Zgody"),
      consents.map((consent) => {
        const id = `consent-${consent.consent_id}`;
        const before = remembered(consent);
        const checked = before || Boolean(form.consents.get(consent.consent_id));
        return h("div", { class: "check consent" },
          h("input", { type: "checkbox", id, checked, disabled: before, "aria-describedby": `${id}-note`,
            onchange: change((input) => form.consents.set(consent.consent_id, input.checked)) }),
          h("label", { for: id }, consentText(consent)),
          h("p", { class: "hint", id: `${id}-note` },
            before ? `Zaakceptowana wcześniej (wersja ${consent.consent_version}) — nie trzeba ponownie.`
              : `Zgoda ${REQUIREMENT_NOTE[consent.requirement_type] || consent.requirement_type}.`));
      }));
  }

  function invoiceSection() {
    const inv = form.invoice;
    const company = inv.legal_form === "COMPANY";
    return h("fieldset", { class: "section" },
      h("legend", { class: "section-title" }, "Faktura"),
      h("div", { class: "check" },
        h("input", { type: "checkbox", id: "invoice-on", checked: form.invoiceOn,
          onchange: change((input) => { form.invoiceOn = input.checked; }) }),
        h("label", { for: "invoice-on" }, "Chcę fakturę")),
      form.invoiceOn ? h("div", { class: "subsection" },
        h("div", { class: "segmented", role: "radiogroup", "aria-label": "Faktura dla" },
          [["PERSON", "Osoba prywatna"], ["COMPANY", "Firma"]].map(([value, label]) => [
            h("input", { type: "radio", name: "legal-form", id: `legal-${value}`, value, checked: inv.legal_form === value,
              onchange: change(() => { inv.legal_form = value; }) }),
            h("label", { for: `legal-${value}` }, label)])),
        company ? [
          field("inv-company", "Nazwa firmy", inv.company_name, text(inv, "company_name"), { autocomplete: "organization" }),
          field("inv-nip", "NIP", inv.tax_id, text(inv, "tax_id"), { inputmode: "numeric" }),
        ] : h("div", { class: "field-row" },
          h("div", { class: "field field-grow" }, h("label", { for: "inv-name" }, "Imię"),
            h("input", { id: "inv-name", type: "text", value: inv.name, oninput: text(inv, "name") })),
          h("div", { class: "field field-grow" }, h("label", { for: "inv-surname" }, "Nazwisko"),
            h("input", { id: "inv-surname", type: "text", value: inv.surname, oninput: text(inv, "surname") }))),
        h("div", { class: "field-row" },
          h("div", { class: "field field-grow" }, h("label", { for: "inv-street" }, "Ulica"),
            h("input", { id: "inv-street", type: "text", value: inv.street, oninput: text(inv, "street") })),
          h("div", { class: "field field-small" }, h("label", { for: "inv-building" }, "Nr domu"),
            h("input", { id: "inv-building", type: "text", value: inv.building, oninput: text(inv, "building") })),
          h("div", { class: "field field-small" }, h("label", { for: "inv-flat" }, "Lokal"),
            h("input", { id: "inv-flat", type: "text", value: inv.flat, oninput: text(inv, "flat") }))),
        h("div", { class: "field-row" },
          h("div", { class: "field field-prefix" }, h("label", { for: "inv-postal" }, "Kod pocztowy"),
            h("input", { id: "inv-postal", type: "text", value: inv.postal_code, oninput: text(inv, "postal_code") })),
          h("div", { class: "field field-grow" }, h("label", { for: "inv-city" }, "Miasto"),
            h("input", { id: "inv-city", type: "text", value: inv.city, oninput: text(inv, "city") })))) : null);
  }

  function paymentSection() {
    const cod = form.payment_type === "CASH_ON_DELIVERY";
    return [
      h("fieldset", { class: "section" },
        h("legend", { class: "section-title" }, "Płatność"),
        h("div", { class: "choices choices-grid" }, paymentTypes().map((type) => {
          const id = `pay-${type}`;
          const blocked = type === "CASH_ON_DELIVERY" && !offersCod();
          return h("div", { class: `choice${form.payment_type === type ? " chosen" : ""}` },
            h("input", { type: "radio", name: "payment", id, value: type, checked: form.payment_type === type, disabled: blocked,
              onchange: change(() => {
                form.payment_type = type;
                if (type === "CASH_ON_DELIVERY") form.options.add("COD"); else form.options.delete("COD");
              }) }),
            h("label", { for: id }, h("span", { class: "choice-main" }, paymentType(type)),
              blocked ? h("span", { class: "choice-sub" }, "niedostępna dla tej dostawy") : null));
        }))),
      h("fieldset", { class: "section sandbox-control" },
        h("legend", { class: "section-title" }, "Wynik płatności (kontrolka sandboxa)"),
        h("p", { class: "hint" }, cod
          ? "Płatność przy odbiorze: sklep dostanie status płatności COD, wynik nie ma znaczenia."
          : "W prawdziwej aplikacji decyduje bramka płatnicza. Tu wybierasz, co InPost zgłosi sklepowi."),
        h("div", { class: "segmented" }, [["AUTHORIZED", "Autoryzowana"], ["DECLINED", "Odrzucona"]].map(([value, label]) => [
          h("input", { type: "radio", name: "outcome", id: `outcome-${value}`, value, checked: form.outcome === value,
            disabled: cod, onchange: change(() => { form.outcome = value; }) }),
          h("label", { for: `outcome-${value}` }, label)]))),
    ];
  }

  function summarySection() {
    const t = total();
    const row = (label, value, cls) => [h("dt", { class: cls }, label), h("dd", { class: cls }, value)];
    return h("section", { class: "section summary", "aria-labelledby": "checkout-total" },
      h("h2", { class: "section-title", id: "checkout-total" }, "Do zapłaty"),
      h("dl", { class: "totals" },
        row("Produkty", pln(t.products)),
        row(`Dostawa${form.delivery_type ? ` (${deliveryType(form.delivery_type)})` : ""}`, chosenDelivery() ? pln(t.delivery) : "—"),
        t.options.map(([name, value]) => row(name, pln(value))),
        row("Razem", pln(t.sum), "grand")),
      h("div", { class: "field" }, h("label", { for: "order-comments" }, "Komentarz do zamówienia (opcjonalnie)"),
        h("textarea", { id: "order-comments", rows: "2", maxlength: "500", oninput: text(form, "order_comments") },
          form.order_comments)));
  }

  // -- submit (POST /app/api/baskets/<id>/checkout) ----------------------------------------------
  function problems() {
    const found = [];
    if (!form.delivery_type) found.push("Wybierz sposób dostawy.");
    if (form.delivery_type === "APM" && !form.locker) found.push("Wybierz paczkomat.");
    if (form.delivery_type === "COURIER") {
      for (const [key, label] of [["address", "ulicę"], ["postal_code", "kod pocztowy"], ["city", "miasto"]]) {
        if (!form.address[key].trim()) found.push(`Podaj ${label} dostawy.`);
      }
    }
    if (form.delivery_type === "DIGITAL" && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(form.email.trim())) {
      found.push("Podaj poprawny e-mail do dostawy.");
    }
    if (!form.payment_type) found.push("Wybierz sposób płatności.");
    for (const consent of doc().consents || []) {
      const required = consent.requirement_type === "REQUIRED_ALWAYS" || consent.requirement_type === "REQUIRED_ONCE";
      if (required && !remembered(consent) && !form.consents.get(consent.consent_id)) {
        found.push(`Zaznacz zgodę: ${consent.consent_description}`);
      }
    }
    return found;
  }

  function requestBody() {
    const body = { delivery_type: form.delivery_type, payment_type: form.payment_type, outcome: form.outcome,
      options: [...form.options].filter((code) => code !== "COD" || form.payment_type === "CASH_ON_DELIVERY"), consents: {} };
    for (const consent of doc().consents || []) {
      body.consents[consent.consent_id] = remembered(consent) || Boolean(form.consents.get(consent.consent_id));
    }
    if (form.delivery_type === "APM") body.delivery_point = form.locker;
    if (form.delivery_type === "COURIER") {
      body.delivery_address = { ...form.address, country_code: "PL" };
      if (form.courier_note.trim()) body.courier_note = form.courier_note.trim();
    }
    if (form.delivery_type === "DIGITAL") body.digital_delivery_email = form.email.trim();
    if (form.order_comments.trim()) body.order_comments = form.order_comments.trim();
    if (form.invoiceOn) {
      const inv = form.invoice;
      const keys = inv.legal_form === "COMPANY" ? ["company_name", "tax_id"] : ["name", "surname"];
      body.invoice = { legal_form: inv.legal_form, country_code: "PL" };
      for (const key of [...keys, "street", "building", "flat", "postal_code", "city"]) {
        if (inv[key].trim()) body.invoice[key] = inv[key].trim();
      }
    }
    return body;
  }

  async function submit(event) {
    event.preventDefault();
    state.problems = problems();
    state.submitError = null;
    if (state.problems.length) {
      render();
      document.getElementById("checkout-problems")?.focus();
      return;
    }
    state.busy = "Składam zamówienie…";
    render();
    try {
      const { order } = await ctx.api.post(`${path}/checkout`, requestBody());
      ctx.navigate(`#/wynik/${enc(order.order_id)}`);
      return;
    } catch (error) {
      if (ctx.failed(error)) return;
      state.submitError = error;
    }
    state.busy = null;
    render();
    document.getElementById("checkout-error")?.focus();
  }

  async function refreshFromShop() {
    state.busy = "Pobieram koszyk ze sklepu…";
    render();
    try {
      state.detail = await ctx.api.post(`${path}/refresh`);
      last = JSON.stringify(state.detail);
      state.submitError = null;
      ctx.toast("Koszyk odświeżony — sprawdź podsumowanie");
    } catch (error) {
      if (ctx.failed(error)) return;
      state.submitError = error;
    }
    state.busy = null;
    keepChoicesValid();
    render();
  }

  function render() {
    const { detail } = state;
    if (!detail) {
      replaceContent(body, state.loadError ? errorBox(state.loadError) : loading());
      return;
    }
    if (detail.expired || detail.status !== "BOUND") {
      replaceContent(body, empty(detail.expired ? "Koszyk wygasł" : "Tego koszyka nie można już zamówić",
        detail.status === "ORDERED" ? "Zamówienie znajdziesz w zakładce Zamówienia." : "Wróć do listy koszyków."),
      h("a", { class: "btn btn-secondary", href: detail.status === "ORDERED" ? "#/zamowienia" : "#/koszyki" }, "Dalej"));
      return;
    }
    const busy = Boolean(state.busy);
    if (state.problems.length) state.problems = problems(); // shown once: keep them current
    replaceContent(body,
      h("div", { class: "merchant-bar" }, h("span", { class: "merchant-name" }, detail.merchant?.name || "Sklep"),
        h("a", { href: `#/koszyk/${enc(basketId)}`, class: "small" }, "Zmień koszyk")),
      state.changed ? h("div", { class: "alert alert-attention", role: "status" },
        h("p", { class: "alert-text" }, "Sklep zmienił koszyk — podsumowanie jest aktualne.")) : null,
      h("form", { class: "checkout", novalidate: true, onsubmit: submit, "aria-busy": busy ? "true" : null },
        deliverySection(),
        consentsSection(),
        invoiceSection(),
        paymentSection(),
        summarySection(),
        state.problems.length ? h("div", { id: "checkout-problems", class: "alert alert-error", role: "alert", tabindex: "-1" },
          h("p", { class: "alert-title" }, "Uzupełnij zamówienie"),
          h("ul", {}, state.problems.map((p) => h("li", {}, p)))) : null,
        state.submitError ? h("div", { id: "checkout-error", tabindex: "-1" }, errorBox(state.submitError,
          state.submitError.code === "BASKET_CHANGED"
            ? h("button", { type: "button", class: "btn btn-small btn-secondary", onclick: refreshFromShop }, "Odśwież koszyk")
            : null)) : null,
        h("div", { class: "sticky-cta" },
          h("button", { type: "submit", class: "btn btn-primary btn-block", disabled: busy },
            busy ? state.busy : `Zamawiam i płacę · ${pln(total().sum)}`))));
  }

  async function refresh() {
    if (state.busy) return;
    try {
      const detail = await ctx.api.get(path);
      state.loadError = null;
      const key = JSON.stringify(detail);
      if (key === last || state.busy) return;
      last = key;
      if (firstUpdate === null) firstUpdate = detail.updated_at;
      else if (detail.updated_at !== firstUpdate) state.changed = true;
      state.detail = detail;
      keepChoicesValid();
    } catch (error) {
      if (ctx.failed(error)) return;
      if (state.detail) return;
      state.loadError = error;
    }
    render();
  }

  render();
  refresh();
  return { refresh };
}
