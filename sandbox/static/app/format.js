// Money, quantities, dates and the Polish labels of InPost's enums.
//
// Money never becomes a float (docs/architecture.md#rules): amounts arrive as strings "182.80"
// (or numbers), are parsed to integer grosze, added as integers, and printed back
// with string arithmetic.

/** "182.80" | 182.8 | {gross: "182.80"} -> 18280 (grosze); half-up past two places. */
export function grosze(value) {
  if (value && typeof value === "object") value = value.gross;
  const text = String(value ?? "").trim();
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) return 0;
  const [, sign, whole, fraction = ""] = match;
  let cents = Number(whole) * 100 + Number((fraction + "00").slice(0, 2));
  if (Number(fraction[2] || 0) >= 5) cents += 1;
  return sign ? -cents : cents;
}

/** 18280 -> "182,80 zł" (thin spaces between thousands, as Polish prints them). */
export function pln(cents) {
  const negative = cents < 0;
  const abs = Math.abs(cents);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
  const fraction = String(abs % 100).padStart(2, "0");
  return `${negative ? "−" : ""}${whole},${fraction}\u00a0zł`;
}

/** A price object or amount straight to "182,80 zł". */
export function money(value) {
  return pln(grosze(value));
}

// Quantities: DECIMAL quantities (kg, m) are kept as integer thousandths for the stepper.
const SCALE = 1000;

export function thousandths(value) {
  const text = String(value ?? "").trim().replace(",", ".");
  const match = /^(\d+)(?:\.(\d{0,3}))?$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * SCALE + Number(((match[2] || "") + "000").slice(0, 3));
}

/** 1500 -> "1.5" (what the API takes); with comma=true -> "1,5" (what a Pole reads). */
export function quantityText(scaled, comma = false) {
  const whole = Math.floor(scaled / SCALE);
  const fraction = String(scaled % SCALE).padStart(3, "0").replace(/0+$/, "");
  const text = fraction ? `${whole}.${fraction}` : String(whole);
  return comma ? text.replace(".", ",") : text;
}

export function formatQuantity(quantity) {
  const scaled = thousandths(quantity?.quantity);
  const unit = quantity?.quantity_unit ? ` ${quantity.quantity_unit}` : "";
  return scaled === null ? String(quantity?.quantity ?? "") + unit : quantityText(scaled, true) + unit;
}

const dateFormat = new Intl.DateTimeFormat("pl-PL", {
  day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
});
const dayFormat = new Intl.DateTimeFormat("pl-PL", { weekday: "long", day: "numeric", month: "long" });

export function dateTime(iso) {
  const moment = iso ? new Date(iso) : null;
  return moment && !Number.isNaN(moment.getTime()) ? dateFormat.format(moment) : "";
}

export function day(iso) {
  const moment = iso ? new Date(iso) : null;
  return moment && !Number.isNaN(moment.getTime()) ? dayFormat.format(moment) : "";
}

/** "za 2 dni" / "za 3 godz." until a basket's expiration date. */
export function timeLeft(iso) {
  const ms = new Date(iso).getTime() - Date.now();
  if (!Number.isFinite(ms)) return "";
  if (ms <= 0) return "wygasł";
  const hours = Math.floor(ms / 3_600_000);
  if (hours >= 48) return `za ${Math.floor(hours / 24)} dni`;
  if (hours >= 1) return `za ${hours} godz.`;
  return `za ${Math.max(1, Math.floor(ms / 60_000))} min`;
}

/** "1 produkt", "2 produkty", "5 produktów" */
export function plural(n, one, few, many) {
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (n === 1) return `${n} ${one}`;
  if (mod10 >= 2 && mod10 <= 4 && !(mod100 >= 12 && mod100 <= 14)) return `${n} ${few}`;
  return `${n} ${many}`;
}

// InPost's enums are open (docs/architecture.md#rules): an unknown value is shown as it came.
const PAYMENT_TYPES = {
  CARD: "Karta płatnicza",
  CARD_TOKEN: "Zapisana karta",
  GOOGLE_PAY: "Google Pay",
  APPLE_PAY: "Apple Pay",
  BLIK_CODE: "BLIK",
  BLIK_TOKEN: "BLIK bez kodu",
  PAY_BY_LINK: "Szybki przelew",
  SHOPPING_LIMIT: "Limit zakupowy",
  DEFERRED_PAYMENT: "Płatność odroczona",
  CASH_ON_DELIVERY: "Płatność przy odbiorze",
};
const PAYMENT_STATUSES = {
  UNPAID: "Nieopłacone",
  STARTED: "Płatność rozpoczęta",
  PENDING: "Płatność w toku",
  AUTHORIZED: "Opłacone",
  DECLINED: "Płatność odrzucona",
  CANCELLED: "Płatność anulowana",
  ERROR: "Błąd płatności",
  COD: "Płatność przy odbiorze",
};
const ORDER_STATUSES = {
  ORDER_PROCESSING: "W realizacji",
  ORDER_COMPLETED: "Zakończone",
  ORDER_REJECTED: "Odrzucone",
};
const DELIVERY_TYPES = {
  APM: "Paczkomat® InPost 24/7",
  COURIER: "Kurier InPost",
  DIGITAL: "Dostawa elektroniczna (e-mail)",
};
const BINDING_PLACES = {
  PRODUCT_CARD: "z karty produktu",
  BASKET_SUMMARY: "z koszyka",
  BASKET_POPUP: "z okna koszyka",
  ORDER_CREATE: "z formularza zamówienia",
  LOGIN_PAGE: "ze strony logowania",
  THANK_YOU_PAGE: "ze strony podziękowania",
  MINICART: "z mini-koszyka",
  CHECKOUT_PAGE: "z kasy sklepu",
  REGISTER_PAGE: "ze strony rejestracji",
};

const label = (table) => (value) => (value && table[value]) || value || "";
export const paymentType = label(PAYMENT_TYPES);
export const paymentStatus = label(PAYMENT_STATUSES);
export const orderStatus = label(ORDER_STATUSES);
export const deliveryType = label(DELIVERY_TYPES);
export const bindingPlace = label(BINDING_PLACES);

/** +48 600100200 -> "+48 600 100 200" */
export function phone(number) {
  if (!number) return "";
  const digits = String(number.phone || "").replace(/(\d{3})(?=\d)/g, "$1 ");
  return `${number.country_prefix || ""} ${digits}`.trim();
}
