"""The website checkout form: read every field, say what is wrong in Polish, build an OrderRequest.

The browser sends only choices (ids, codes, ticked boxes, typed text); prices and
what is available come from the basket's totals. Nothing here
touches the database: `parse` is given the basket's totals and the consents and
returns either an `OrderRequest` for `orders.place_order` or the errors, one per
field, to show next to the fields.

Field names follow InPost's order vocabulary where there is one (docs/inpost-pay-api.md §3.5:
`delivery_point`, `courier_note`, `digital_delivery_email`, `invoice_details`),
so an order reads the same whichever channel placed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from .lockers import find_locker
from .models import Consent
from .orders import PAYMENT_METHODS, OrderRequest
from .pricing import BasketTotals

# Prefixes offered next to the phone number; +48 first (the shop sells in Poland).
PHONE_PREFIXES = ("+48", "+49", "+420", "+421", "+370", "+380", "+44", "+353")
DEFAULT_PREFIX = "+48"

NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '\u2019\-][^\W\d_]+)*$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)*\.[^@\s.]{2,}$")
POSTAL_RE = re.compile(r"^(\d{2})-?(\d{3})$")
NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)

TEXT_FIELDS = (
    "name", "surname", "email", "phone_prefix", "phone", "delivery_type", "delivery_point",
    "street", "flat", "postal_code", "city", "courier_note", "digital_email", "payment_method",
    "company_name", "nip", "invoice_street", "invoice_postal_code", "invoice_city", "comment",
    "basket_version",
)
MAX_LENGTH = {
    "name": 60, "surname": 60, "email": 200, "phone": 20, "street": 120, "flat": 10, "city": 80,
    "courier_note": 500, "digital_email": 200, "company_name": 200, "nip": 20, "invoice_street": 120,
    "invoice_city": 80, "comment": 1000,
}


@dataclass
class CheckoutForm:
    """What the shopper typed (to re-render), what is wrong with it, and the order it asks for."""

    values: dict
    errors: dict[str, str] = field(default_factory=dict)
    request: OrderRequest | None = None

    @property
    def valid(self) -> bool:
        return not self.errors and self.request is not None


def default_values(totals: BasketTotals) -> dict:
    """The form as first shown: the first delivery the basket allows, pay by transfer."""
    return {
        **{name: "" for name in TEXT_FIELDS},
        "phone_prefix": DEFAULT_PREFIX,
        "delivery_type": totals.deliveries[0].method.code if totals.deliveries else "",
        "payment_method": "TRANSFER",
        "pww": False,
        "invoice": False,
        "consents": set(),
    }


def _clean_line(value: str) -> str:
    """One line of text: whitespace runs (newlines too) become one space."""
    return " ".join(value.split())


def _clean_text(value: str) -> str:
    """Multi-line text: keep newlines and tabs, drop other control characters."""
    return "".join(ch for ch in value if ch in "\n\t" or ch >= " ").strip()


def read_values(form: MultiDict) -> dict:
    values = {}
    for name in TEXT_FIELDS:
        raw = form.get(name, "")
        values[name] = _clean_text(raw) if name in ("comment", "courier_note") else _clean_line(raw)
    values["pww"] = form.get("pww") == "1"
    values["invoice"] = form.get("invoice") == "1"
    values["consents"] = {key.removeprefix("consent_") for key in form if key.startswith("consent_")}
    return values


def nip_is_valid(digits: str) -> bool:
    """Polish NIP: 10 digits, the last a weighted checksum mod 11 of the first nine."""
    if not re.fullmatch(r"\d{10}", digits):
        return False
    check = sum(int(d) * w for d, w in zip(digits, NIP_WEIGHTS, strict=False)) % 11
    return check != 10 and check == int(digits[9])


def normalize_nip(raw: str) -> str:
    """"PL 526-025-02-74" -> "5260250274" (checked by the caller)."""
    text = raw.upper().removeprefix("PL")
    return re.sub(r"[\s-]", "", text)


def normalize_postal(raw: str) -> str | None:
    match = POSTAL_RE.match(raw)
    return f"{match.group(1)}-{match.group(2)}" if match else None


def normalize_phone(raw: str) -> str:
    return re.sub(r"[\s\-()]", "", raw)


class _Checker:
    """Collects the first error per field."""

    def __init__(self, values: dict):
        self.values = values
        self.errors: dict[str, str] = {}

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def text(self, name: str, missing: str | None) -> str:
        """The field's text; `missing` is the message when it is required and empty."""
        value = self.values[name]
        if not value:
            if missing:
                self.error(name, missing)
            return ""
        limit = MAX_LENGTH.get(name)
        if limit and len(value) > limit:
            self.error(name, f"Najwyżej {limit} znaków.")
        return value

    def person_name(self, name: str, missing: str, what: str) -> str:
        value = self.text(name, missing)
        if value and not NAME_RE.match(value):
            self.error(name, f"{what} może zawierać tylko litery, spacje, myślnik i apostrof.")
        return value

    def email(self, name: str, missing: str | None) -> str:
        value = self.text(name, missing)
        if value and not EMAIL_RE.match(value):
            self.error(name, "Podaj poprawny adres e-mail, np. anna.kowalska@example.pl.")
        return value

    def postal_code(self, name: str) -> str:
        value = self.text(name, "Podaj kod pocztowy.")
        if not value:
            return ""
        normalized = normalize_postal(value)
        if normalized is None:
            self.error(name, "Kod pocztowy ma postać NN-NNN, np. 30-001.")
            return value
        self.values[name] = normalized
        return normalized


def parse(
    form: MultiDict,
    *,
    totals: BasketTotals,
    consents: list[Consent],
    owner_token: str,
    basket_version: int | None = None,
) -> CheckoutForm:
    """Check the submitted checkout against the basket's totals; build the OrderRequest when all is well.

    `basket_version` is the basket's current version: the form carries the one it was
    rendered with, and a mismatch means the shopper has not seen the current basket.
    """
    values = read_values(form)
    check = _Checker(values)

    # --- contact -----------------------------------------------------------------------------
    name = check.person_name("name", "Podaj imię.", "Imię")
    surname = check.person_name("surname", "Podaj nazwisko.", "Nazwisko")
    email = check.email("email", "Podaj adres e-mail.")
    prefix = values["phone_prefix"] or DEFAULT_PREFIX
    if prefix not in PHONE_PREFIXES:
        check.error("phone_prefix", "Wybierz numer kierunkowy z listy.")
    phone = normalize_phone(check.text("phone", "Podaj numer telefonu."))
    if phone:
        if prefix == "+48" and not re.fullmatch(r"\d{9}", phone):
            check.error("phone", "Numer telefonu w Polsce ma 9 cyfr, np. 600 123 456.")
        elif not re.fullmatch(r"\d{6,13}", phone):
            check.error("phone", "Numer telefonu to od 6 do 13 cyfr.")

    # --- delivery: only what compute_totals offers for this basket (docs/inpost-pay-api.md §8.5) ------------
    delivery_type = values["delivery_type"]
    offered = {quote.method.code: quote for quote in totals.deliveries}
    if not delivery_type:
        check.error("delivery_type", "Wybierz formę dostawy.")
    elif delivery_type not in offered:
        if delivery_type == "DIGITAL":
            check.error("delivery_type", "Dostawa elektroniczna jest tylko dla koszyków z samymi produktami cyfrowymi.")
        else:
            names = ", ".join(q.method.name for q in totals.deliveries)
            check.error("delivery_type", f"Tej formy dostawy nie można wybrać dla tego koszyka (dostępne: {names}).")

    delivery_point = None
    delivery_address = None
    courier_note = None
    digital_email = None
    if delivery_type == "APM":
        code = check.text("delivery_point", "Wybierz Paczkomat z listy.")
        if code:
            locker = find_locker(code)
            if locker is None:
                check.error("delivery_point", f"Nie znamy Paczkomatu {code.upper()[:20]}. Wybierz Paczkomat z listy.")
            else:
                delivery_point = locker.code
    elif delivery_type == "COURIER":
        street = check.text("street", "Podaj ulicę i numer domu.")
        if street and not re.search(r"\d", street):
            check.error("street", "Dopisz numer domu, np. ul. Lipowa 5.")
        flat = check.text("flat", None)
        postal = check.postal_code("postal_code")
        city = check.text("city", "Podaj miejscowość.")
        delivery_address = {"street": street, "postal_code": postal, "city": city, "country_code": "PL"}
        if flat:
            delivery_address["flat"] = flat
        courier_note = check.text("courier_note", None) or None
    elif delivery_type == "DIGITAL":
        digital_email = check.email("digital_email", None) or None

    # --- options and payment ------------------------------------------------------------------
    options = []
    if values["pww"]:
        if delivery_type != "APM":
            check.error("pww", "Paczka w Weekend jest dostępna tylko przy dostawie do Paczkomatu.")
        else:
            options.append("PWW")
    payment = values["payment_method"]
    if payment not in PAYMENT_METHODS:
        check.error("payment_method", "Wybierz sposób płatności.")
    elif payment == "COD":
        if delivery_type == "DIGITAL":
            check.error("payment_method", "Płatność przy odbiorze nie jest dostępna przy dostawie elektronicznej.")
        else:
            # Paying on delivery is the COD delivery option (docs/inpost-pay-api.md §8.5): it adds its surcharge.
            options.insert(0, "COD")

    # --- consents (docs/inpost-pay-api.md §8.6): required ones must be ticked --------------------------------
    accepted = {}
    for consent in consents:
        if consent.id in values["consents"]:
            accepted[consent.id] = consent.version
        elif consent.required:
            check.error(f"consent_{consent.id}", "Ta zgoda jest wymagana, aby złożyć zamówienie.")

    # --- invoice (InPost's invoice_details shape, docs/inpost-pay-api.md §3.5) -------------------------------
    invoice = None
    if values["invoice"]:
        company = check.text("company_name", "Podaj nazwę firmy.")
        nip_raw = check.text("nip", "Podaj NIP.")
        nip = normalize_nip(nip_raw)
        if nip_raw:
            if not re.fullmatch(r"\d{10}", nip):
                check.error("nip", "NIP to 10 cyfr, np. 526-025-02-74.")
            elif not nip_is_valid(nip):
                check.error("nip", "Ten NIP ma błędną cyfrę kontrolną. Sprawdź, czy nie ma literówki.")
        invoice = {
            "legal_form": "COMPANY",
            "company_name": company,
            "tax_id_prefix": "PL",
            "tax_id": nip,
            "street": check.text("invoice_street", "Podaj ulicę i numer."),
            "postal_code": check.postal_code("invoice_postal_code"),
            "city": check.text("invoice_city", "Podaj miejscowość."),
            "country_code": "PL",
        }

    comment = check.text("comment", None) or None

    # The basket may have changed in another tab or in the InPost app since the page was shown.
    version = values["basket_version"]
    if version and basket_version is not None and version != str(basket_version):
        check.error("basket", "Koszyk zmienił się w międzyczasie. Sprawdź podsumowanie i złóż zamówienie ponownie.")

    if check.errors:
        return CheckoutForm(values, check.errors)

    request = OrderRequest(
        channel="website",
        owner_token=owner_token,
        name=name,
        surname=surname,
        email=email,
        phone_prefix=prefix,
        phone=phone,
        payment_method=payment,
        cash_on_delivery=payment == "COD",
        delivery_type=delivery_type,
        delivery_options=options,
        delivery_point=delivery_point,
        delivery_address=delivery_address,
        digital_email=digital_email,
        courier_note=courier_note,
        invoice=invoice,
        consents=accepted,
        comment=comment,
    )
    return CheckoutForm(values, {}, request)
