// Errors shown plainly: a Polish title for InPost's error_code, the sandbox's message, and
// the contract violations field by field ("pole — problem"), so a merchant developer sees
// exactly what their shop sent wrong (sandbox/contract.py).
import { h } from "./dom.js";

const TITLES = {
  NETWORK: "Brak połączenia",
  UNAUTHORIZED: "Zaloguj się ponownie",
  INVALID_INPUT: "Popraw dane",
  MALFORMED_REQUEST: "Niepoprawne dane",
  CONSENT_REQUIRED: "Zaznacz wymagane zgody",
  MERCHANT_UNAVAILABLE: "Sklep nie odpowiada",
  MERCHANT_ERROR: "Sklep odmówił",
  MERCHANT_BASKET_INVALID: "Sklep przysłał niepoprawny koszyk",
  MERCHANT_ORDER_INVALID: "Sklep przysłał niepoprawne zamówienie",
  BASKET_CHANGED: "Koszyk się zmienił, odśwież koszyk",
  ORDER_NOT_CREATED: "Sklep nie przyjął zamówienia",
  BASKET_NOT_BOUND: "Koszyk nie jest już połączony",
  BASKET_EXPIRED: "Koszyk wygasł",
  BASKET_NOT_FOUND: "Nie ma takiego koszyka",
  REQUEST_NOT_FOUND: "Nie ma takiej prośby",
  REQUEST_NOT_PENDING: "Ta prośba jest już nieaktualna",
  BASKET_IS_BINDED: "Koszyk jest już połączony",
  PROMO_CODE_EXISTS: "Ten kod już jest w koszyku",
  PROMO_CODE_NOT_FOUND: "Tego kodu nie ma w koszyku",
  PRODUCT_NOT_FOUND: "Nie ma takiego produktu",
  ORDER_NOT_FOUND: "Nie ma takiego zamówienia",
};

const VIOLATION_HEADINGS = {
  BASKET_CHANGED: "Różnice między koszykiem w aplikacji a koszykiem w sklepie:",
  MERCHANT_BASKET_INVALID: "Naruszenia kontraktu InPost Pay w odpowiedzi sklepu:",
  MERCHANT_ORDER_INVALID: "Naruszenia kontraktu InPost Pay w odpowiedzi sklepu:",
};

export function errorTitle(error) {
  return TITLES[error.code] || "Coś poszło nie tak";
}

/** The error box: role=alert so a screen reader announces it; `actions` are extra buttons. */
export function errorBox(error, ...actions) {
  const violations = error.violations || [];
  return h("div", { class: "alert alert-error", role: "alert" },
    h("p", { class: "alert-title" }, errorTitle(error)),
    error.message && error.message !== errorTitle(error) ? h("p", { class: "alert-text" }, error.message) : null,
    violations.length ? [
      h("p", { class: "alert-text" }, VIOLATION_HEADINGS[error.code] || "Problemy:"),
      h("ul", { class: "violations", "aria-label": "Naruszenia", tabindex: "0" },
        violations.map((v) => h("li", {}, h("code", {}, v.field), " — ", v.problem))),
    ] : null,
    error.code ? h("p", { class: "alert-code" }, `Kod: ${error.code}${error.status ? ` (HTTP ${error.status})` : ""}`) : null,
    actions.length ? h("div", { class: "alert-actions" }, actions) : null,
  );
}
