"""What the shopper does in "InPost Mobile", and the calls InPost makes to the merchant for it.

Each public function is one action of the phone app (DESIGN.md §3 steps 2, 5-7, 9):
accept or reject a binding request, change the basket (quantity, promo codes,
related products), check out, unlink. The merchant is called through
`MerchantClient` (signed, logged); every basket it answers is contract-checked
and only a valid one replaces InPost's copy.

Rule kept throughout: no database transaction stays open across a call to the
merchant, because the merchant may call InPost back while it handles ours.
Errors are `ApiError`s with a code, a message the simulator can show, and the
violations when the merchant's answer broke the contract.
"""

from __future__ import annotations

import json
import random
import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from sandbox import baskets
from sandbox.contract import DELIVERY_TYPES, PAYMENT_TYPES, check_basket, check_order, differences
from sandbox.errors import ApiError
from sandbox.extensions import db
from sandbox.jsonutil import MAX_NUMBER, dumps, loads, to_plain
from sandbox.log import mask_phone
from sandbox.merchant_client import MerchantClient, MerchantReply
from sandbox.models import (
    AppUser,
    Basket,
    BindingRequest,
    Browser,
    ConsentAcceptance,
    Order,
    OrderEvent,
    iso,
    utcnow,
)
from sandbox.money import add_prices, parse_amount
from sandbox.validate import PHONE, PREFIX

# Payment types the app offers when the basket's list is empty (seed 001: "a default
# list of payments according to the merchant's configuration in the payment gateway").
DEFAULT_PAYMENT_TYPES = ["CARD", "BLIK_CODE", "PAY_BY_LINK", "GOOGLE_PAY", "APPLE_PAY"]
PAYMENT_OUTCOMES = ("AUTHORIZED", "DECLINED")
BASKET_CHANGED_MESSAGE = "Koszyk się zmienił, odśwież koszyk (basket changed, refresh)"
# Demo names: a first name and the surname's form for the same gender ("Piotr Kamiński",
# "Anna Kamińska"; Nowak and Wójcik are the same for both).
FIRST_NAMES = {"f": ["Anna", "Katarzyna", "Magdalena", "Agnieszka"], "m": ["Piotr", "Tomasz", "Paweł", "Michał"]}
SURNAMES = [("Nowak", "Nowak"), ("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"), ("Wójcik", "Wójcik"),
            ("Kamiński", "Kamińska"), ("Lewandowski", "Lewandowska"), ("Zieliński", "Zielińska")]  # fmt: skip


def demo_name(pick: random.Random) -> tuple[str, str]:
    gender = pick.choice("fm")
    male, female = pick.choice(SURNAMES)
    return pick.choice(FIRST_NAMES[gender]), female if gender == "f" else male
LOCKER_ID = re.compile(r"^[A-Z0-9-]{3,20}$")
MAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def merchant() -> MerchantClient:
    return current_app.extensions["sandbox_merchant"]


def _invalid(message: str) -> ApiError:
    return ApiError(400, "INVALID_INPUT", message)


def merchant_json() -> dict:
    """Who sold the basket, as the app's lists show it ("all active baskets, from any merchant").

    InPost knows each merchant's name from onboarding; the sandbox serves one merchant,
    named by SANDBOX_MERCHANT_NAME, else by the host of SANDBOX_MERCHANT_URL.
    """
    url = current_app.config["SANDBOX_MERCHANT_URL"]
    name = current_app.config.get("SANDBOX_MERCHANT_NAME") or urlsplit(url).netloc or url
    return {"name": name, "url": url}


# -- parcel lockers (the app's APM picker) --------------------------------------------

# InPost's app offers Paczkomaty from InPost's own points database; the sandbox keeps a
# small fixed set (codes in the shape of reference §3.5 `delivery.delivery_point`) so a
# checkout works offline. (code, city, street, postal_code, description)
PARCEL_LOCKERS = (
    ("KRA010", "Kraków", "ul. Karmelicka 45", "31-128", "Przy sklepie Żabka, wejście od ulicy"),
    ("KRA01M", "Kraków", "ul. Lipowa 4", "30-702", "Przy parkingu Galerii Lipowa, obok bankomatu"),
    ("KRA112", "Kraków", "os. Centrum E 12", "31-934", "Nowa Huta, obok apteki, czynny 24/7"),
    ("WAW22A", "Warszawa", "ul. Marszałkowska 104", "00-017", "Stacja metra Świętokrzyska, wyjście nr 3"),
    ("WAW305M", "Warszawa", "ul. Grochowska 207", "04-077", "Przy wejściu do supermarketu"),
    ("WAW58H", "Warszawa", "al. Komisji Edukacji Narodowej 14", "02-797", "Ursynów, parking przy pływalni"),
    ("GDA117M", "Gdańsk", "ul. Grunwaldzka 141", "80-264", "Wrzeszcz, pod wiatą obok przystanku"),
    ("GDY05N", "Gdynia", "ul. Świętojańska 35", "81-391", "Przy kiosku, róg ul. 10 Lutego"),
    ("POZ08M", "Poznań", "ul. Głogowska 74", "60-263", "Łazarz, przy stacji paliw"),
    ("WRO24A", "Wrocław", "pl. Grunwaldzki 22", "50-363", "Pasaż Grunwaldzki, poziom 0, przy wejściu B"),
    ("LOD11N", "Łódź", "ul. Piotrkowska 160", "90-368", "W bramie, obok punktu ksero"),
    ("BIA03M", "Białystok", "ul. Lipowa 12", "15-427", "Przy przystanku Lipowa / Malmeda"),
)


def find_lockers(query: Any = "") -> list[dict]:
    """Lockers whose code, city, street, postal code or description contain every word of
    `query` (case-insensitive); all of them for an empty query."""
    if not isinstance(query, str) or len(query) > 100:
        raise _invalid("q: must be a text of at most 100 characters")
    words = query.casefold().split()
    found = []
    for code, city, street, postal_code, description in PARCEL_LOCKERS:
        haystack = f"{code} {city} {street} {postal_code} {description}".casefold()
        if all(word in haystack for word in words):
            found.append({"code": code, "city": city, "street": street, "postal_code": postal_code,
                          "description": description})  # fmt: skip
    return found


# -- users --------------------------------------------------------------------------


def sign_in(country_prefix: str, phone: str, name: str | None = None, surname: str | None = None,
            mail: str | None = None) -> AppUser:  # fmt: skip
    """Sign in with a phone number; the first sign-in creates the user (name generated if not given)."""
    if not isinstance(country_prefix, str) or not PREFIX.match(country_prefix):
        raise _invalid("country_prefix: must look like +48")
    if not isinstance(phone, str) or not PHONE.match(phone):
        raise _invalid("phone: must be 6-15 digits")
    for label, value in (("name", name), ("surname", surname), ("mail", mail)):
        if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > 100):
            raise _invalid(f"{label}: must be a non-empty string of at most 100 characters")
    if mail is not None and not MAIL.match(mail):
        raise _invalid("mail: must be an e-mail address")
    user = baskets.app_user(country_prefix, phone)
    if user is None:
        pick = random.Random(country_prefix + phone)  # the same phone always gets the same demo name
        demo_first, demo_surname = demo_name(pick)
        user = AppUser(
            country_prefix=country_prefix,
            phone=phone,
            name=name or demo_first,
            surname=surname or demo_surname,
            mail=mail or f"{phone}@example.com",
            address=f"ul. Testowa {pick.randint(1, 99)}",
            city="Kraków",
            postal_code="30-001",
            country_code="PL",
        )
        db.session.add(user)
    else:
        user.name, user.surname, user.mail = name or user.name, surname or user.surname, mail or user.mail
    db.session.commit()
    return user


def user_json(user: AppUser) -> dict:
    return {
        "phone_number": {"country_prefix": user.country_prefix, "phone": user.phone},
        "masked_phone_number": mask_phone(user.phone),
        "name": user.name,
        "surname": user.surname,
        "mail": user.mail,
        "address": {
            "address": user.address,
            "city": user.city,
            "postal_code": user.postal_code,
            "country_code": user.country_code,
        },  # fmt: skip
    }


# -- binding requests (DESIGN.md §3 step 2) ------------------------------------------


def list_requests(user: AppUser) -> list[dict]:
    """Live PHONE requests for this user's number (deep-link requests are opened by link)."""
    rows = db.session.scalars(
        db.select(BindingRequest)
        .where(
            BindingRequest.country_prefix == user.country_prefix,
            BindingRequest.phone == user.phone,
            BindingRequest.status == "PENDING",
        )  # fmt: skip
        .order_by(BindingRequest.created_at.desc())
    )
    return [request_json(r) for r in rows if baskets.request_is_live(r)]


def _request_for(user: AppUser, request_id: str) -> BindingRequest:
    binding = db.session.get(BindingRequest, request_id)
    if binding is None or (
        binding.phone and (binding.country_prefix, binding.phone) != (user.country_prefix, user.phone)
    ):
        raise ApiError(404, "REQUEST_NOT_FOUND", "no such binding request for this phone")
    return binding


def get_request(user: AppUser, request_id: str) -> dict:
    return request_json(_request_for(user, request_id))


def latest_request_for_basket(inpost_basket_id: str) -> BindingRequest | None:
    """The newest request of a basket, for the deep-link page (/app/izilink)."""
    return db.session.scalar(
        db.select(BindingRequest)
        .where(BindingRequest.inpost_basket_id == inpost_basket_id)
        .order_by(BindingRequest.created_at.desc())
        .limit(1)
    )


def request_json(binding: BindingRequest) -> dict:
    status = binding.status
    if status == "PENDING" and not baskets.request_is_live(binding):
        status = "EXPIRED"
    return {
        "id": binding.id,
        "inpost_basket_id": binding.inpost_basket_id,
        "basket_id": binding.basket.basket_id,
        "binding_method": binding.binding_method,
        "binding_place": binding.binding_place,
        "browser": json.loads(binding.browser_json) if binding.browser_json else None,
        "status": status,
        "error": binding.error,
        "created_at": iso(binding.created_at),
        "merchant": merchant_json(),
        # Known only when the merchant already sent the basket (PUT); a PHONE request alone
        # carries no contents, so the app shows a summary "if known".
        "basket_summary": _basket_summary(binding.basket) if binding.basket.basket_json else None,
    }


def accept_request(user: AppUser, request_id: str, trust_browser: bool = False) -> dict:
    """The shopper accepts: InPost asks the merchant to confirm (reference §3.2).

    The binding is made only if the merchant answers 200 with a valid basket
    (seed 003: "If the details of the basket haven't been transferred or the data
    in the response are incorrect, the basket will not be bound").
    """
    if not isinstance(trust_browser, bool):
        raise _invalid("trust_browser: must be true or false")
    binding = _live_request(user, request_id)
    basket = binding.basket
    browser_id = str(uuid.uuid4()) if trust_browser else None
    browser = {"browser_trusted": trust_browser}
    if browser_id:
        browser["browser_id"] = browser_id
    payload = {
        "status": "SUCCESS",
        "inpost_basket_id": basket.inpost_basket_id,
        "phone_number": {"country_prefix": user.country_prefix, "phone": user.phone},
        "browser": browser,
        "masked_phone_number": mask_phone(user.phone),
        "name": user.name,
        "surname": user.surname,
    }
    basket_id, inpost_basket_id, fingerprint = basket.basket_id, basket.inpost_basket_id, binding.browser_json
    db.session.commit()  # no transaction across the call

    reply = merchant().confirm_binding(basket_id, payload, check=_basket_check)
    problem = _reply_problem(reply, "confirmation")
    binding = db.session.get(BindingRequest, request_id)
    if problem:
        binding.error = problem.message
        db.session.commit()
        raise problem

    basket = db.session.get(Basket, inpost_basket_id)
    if basket.linked:
        raise ApiError(409, "BASKET_IS_BINDED", "the basket was linked meanwhile")
    if browser_id:
        db.session.add(Browser(browser_id=browser_id, country_prefix=user.country_prefix, phone=user.phone,
                               fingerprint_json=fingerprint))  # fmt: skip
    baskets.bind(basket, user.country_prefix, user.phone, reply.body, browser_id=browser_id)
    binding.status, binding.decided_at, binding.error = "ACCEPTED", utcnow(), None
    db.session.commit()
    return basket_detail(user, inpost_basket_id)


def reject_request(user: AppUser, request_id: str) -> dict:
    """The shopper declines: the merchant is told (status REJECT); nothing is linked."""
    binding = _live_request(user, request_id)
    basket = binding.basket
    payload = {
        "status": "REJECT",
        "inpost_basket_id": basket.inpost_basket_id,
        "phone_number": {"country_prefix": user.country_prefix, "phone": user.phone},
        "browser": {"browser_trusted": False},
        "masked_phone_number": mask_phone(user.phone),
        "name": user.name,
        "surname": user.surname,
    }
    binding.status, binding.decided_at = "REJECTED", utcnow()
    basket_id = basket.basket_id
    db.session.commit()
    reply = merchant().confirm_binding(basket_id, payload, check=None)
    answer = request_json(db.session.get(BindingRequest, request_id))
    answer["merchant_status"] = reply.status
    return answer


def _live_request(user: AppUser, request_id: str) -> BindingRequest:
    binding = _request_for(user, request_id)
    if not baskets.request_is_live(binding):
        raise ApiError(409, "REQUEST_NOT_PENDING", f"this request is {request_json(binding)['status']}")
    if binding.basket.linked:
        raise ApiError(409, "BASKET_IS_BINDED", "the basket is already linked")
    return binding


# -- checks of merchant answers ---------------------------------------------------


def _basket_check(body: Any) -> tuple[list, list]:
    warnings: list = []
    return check_basket(body, warnings=warnings), warnings


def _order_check(body: Any) -> tuple[list, list]:
    warnings: list = []
    return check_order(body, warnings=warnings), warnings


def _reply_problem(reply: MerchantReply, what: str, expected: tuple[int, ...] = (200,)) -> ApiError | None:
    """Why a merchant answer cannot be used, or None when it can."""
    if not reply.answered:
        return ApiError(502, "MERCHANT_UNAVAILABLE", f"{what}: {reply.error_message()}")
    if reply.status not in expected:
        return ApiError(502, "MERCHANT_ERROR", f"{what}: the shop refused (HTTP {reply.status}): {reply.error_message()}",
                        merchant_status=reply.status)  # fmt: skip
    if reply.violations:
        return ApiError(502, "MERCHANT_BASKET_INVALID" if what != "order" else "MERCHANT_ORDER_INVALID",
                        f"{what}: the shop's answer breaks InPost's contract "
                        f"({len(reply.violations)} problem(s), first: {reply.violations[0]['field']}: "
                        f"{reply.violations[0]['problem']})",
                        violations=reply.violations)  # fmt: skip
    return None


# -- baskets in the app ---------------------------------------------------------------


def _basket_for(user: AppUser, inpost_basket_id: str, active: bool = True) -> Basket:
    basket = db.session.get(Basket, inpost_basket_id)
    if basket is None or (basket.country_prefix, basket.phone) != (user.country_prefix, user.phone):
        raise ApiError(404, "BASKET_NOT_FOUND", "no such basket for this phone")
    if active and not basket.linked:
        raise ApiError(409, "BASKET_NOT_BOUND", f"the basket is no longer active ({basket.status})")
    if active and baskets.is_expired(basket):
        raise ApiError(409, "BASKET_EXPIRED", "the basket has expired (basket_expiration_date)")
    return basket


def basket_is_linked(inpost_basket_id: str) -> bool:
    basket = db.session.get(Basket, inpost_basket_id) if inpost_basket_id else None
    return basket is not None and basket.linked


def active_baskets(user: AppUser) -> list[dict]:
    """Linked, not expired, not ordered: what the app's basket list shows."""
    rows = db.session.scalars(
        db.select(Basket)
        .where(Basket.country_prefix == user.country_prefix, Basket.phone == user.phone, Basket.status == "BOUND")
        .order_by(Basket.updated_at.desc())
    )
    return [_basket_summary(b) for b in rows if not baskets.is_expired(b)]


def _basket_summary(basket: Basket) -> dict:
    doc = baskets.document(basket) or {}
    summary = doc.get("summary") or {}
    products = doc.get("products") or []
    return to_plain(
        {
            "inpost_basket_id": basket.inpost_basket_id,
            "basket_id": basket.basket_id,
            "products_count": len(products),
            "quantity_total": sum(
                (Decimal(str(p.get("quantity", {}).get("quantity", 0))) for p in products), Decimal(0)
            ),
            "basket_final_price": summary.get("basket_final_price")
            or summary.get("basket_promo_price")
            or summary.get("basket_base_price"),
            "basket_expiration_date": summary.get("basket_expiration_date"),
            "product_images": [p.get("product_image") for p in products if p.get("product_image")][:4],
            "updated_at": iso(basket.updated_at),
            "merchant": merchant_json(),
        }
    )


def basket_detail(user: AppUser, inpost_basket_id: str) -> dict:
    """The stored basket JSON plus what the app needs around it."""
    basket = _basket_for(user, inpost_basket_id, active=False)
    doc = baskets.document(basket) or {}
    accepted = db.session.scalars(db.select(ConsentAcceptance).where(ConsentAcceptance.user_id == user.id))
    return {
        "inpost_basket_id": basket.inpost_basket_id,
        "basket_id": basket.basket_id,
        "status": basket.status,
        "expired": baskets.is_expired(basket),
        "updated_at": iso(basket.updated_at),
        "merchant": merchant_json(),
        "notice": to_plain((doc.get("summary") or {}).get("basket_notice")),
        # What the documents discourage in the merchant's basket (the developer sees it in the app).
        "warnings": _basket_check(doc)[1] if doc else [],
        "accepted_consents": [{"consent_id": a.consent_id, "consent_version": a.consent_version} for a in accepted],
        "basket": to_plain(doc),
    }


def refresh_basket(user: AppUser, inpost_basket_id: str) -> dict:
    """Re-read the basket from the merchant (after "basket changed, refresh")."""
    basket = _basket_for(user, inpost_basket_id)
    basket_id = basket.basket_id
    db.session.commit()
    reply = merchant().get_basket(basket_id, check=_basket_check)
    problem = _reply_problem(reply, "basket")
    if problem:
        raise problem
    baskets.store_document(db.session.get(Basket, inpost_basket_id), reply.body)
    db.session.commit()
    return basket_detail(user, inpost_basket_id)


def _product(doc: dict, product_id: Any, key: str = "products") -> dict:
    if not isinstance(product_id, str) or not product_id:
        raise _invalid("product_id: must be a non-empty string")
    for product in doc.get(key) or []:
        if product.get("product_id") == product_id:
            return product
    raise ApiError(404, "PRODUCT_NOT_FOUND", f"no product {product_id!r} in this basket's {key}")


def _quantity(value: Any, product: dict, allow_zero: bool) -> Decimal | int:
    """A quantity the app lets the shopper choose (reference §8.2: capped by available/max)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise _invalid("quantity: must be a number")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise _invalid("quantity: must be a number") from None
    if not amount.is_finite() or (amount and amount.adjusted() >= MAX_NUMBER.adjusted()):  # abs() can overflow
        raise _invalid(f"quantity: must be a finite number below {MAX_NUMBER:f}")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise _invalid("quantity: must be positive" if not allow_zero else "quantity: must not be negative")
    info = product.get("quantity") or {}
    kind = info.get("quantity_type", "INTEGER")
    if kind == "INTEGER" and amount != amount.to_integral_value():
        raise _invalid("quantity: this product is sold in whole pieces")
    for limit_key in ("max_quantity", "available_quantity"):
        limit = info.get(limit_key)
        if limit is not None and amount > Decimal(str(limit)):
            raise _invalid(f"quantity: at most {limit} ({limit_key})")
    return int(amount) if kind == "INTEGER" else amount


def _quantity_object(product: dict, amount) -> dict:
    info = product.get("quantity") or {}
    result = {"quantity": amount, "quantity_type": info.get("quantity_type", "INTEGER")}
    if info.get("quantity_unit"):
        result["quantity_unit"] = info["quantity_unit"]
    return result


def change_quantity(user: AppUser, inpost_basket_id: str, product_id: Any, quantity: Any) -> dict:
    """PRODUCTS_QUANTITY: the absolute quantity of one line; 0 removes it (reference §3.3)."""
    basket = _basket_for(user, inpost_basket_id)
    product = _product(baskets.document(basket), product_id)
    amount = _quantity(quantity, product, allow_zero=True)
    data = [{"product_id": product_id, "quantity": _quantity_object(product, amount)}]
    return _send_event(user, basket, "PRODUCTS_QUANTITY", "quantity_event_data", data)


def remove_product(user: AppUser, inpost_basket_id: str, product_id: Any) -> dict:
    return change_quantity(user, inpost_basket_id, product_id, 0)


def _codes(doc: dict) -> list[dict]:
    return [{"name": c.get("name") or c.get("promo_code_value"), "promo_code_value": c.get("promo_code_value")}
            for c in doc.get("promo_codes") or []]  # fmt: skip


def add_promo_code(user: AppUser, inpost_basket_id: str, code: Any) -> dict:
    """PROMO_CODES with the full desired set: the codes in the basket plus this one.

    The app takes codes one at a time (seed 002: "każdy z nich musi zostać wpisany
    pojedynczo"); an invalid code comes back as a basket_notice, not an HTTP error.
    """
    if not isinstance(code, str) or not code.strip() or len(code) > 100:
        raise _invalid("promo_code_value: must be a non-empty string")
    code = code.strip()
    basket = _basket_for(user, inpost_basket_id)
    codes = _codes(baskets.document(basket))
    if any(c["promo_code_value"].upper() == code.upper() for c in codes):
        raise ApiError(409, "PROMO_CODE_EXISTS", f"the code {code} is already in the basket")
    codes.append({"name": code, "promo_code_value": code})
    return _send_event(user, basket, "PROMO_CODES", "promo_codes_event_data", codes)


def remove_promo_code(user: AppUser, inpost_basket_id: str, code: Any) -> dict:
    """PROMO_CODES with the full set minus this code."""
    basket = _basket_for(user, inpost_basket_id)
    codes = _codes(baskets.document(basket))
    kept = [c for c in codes if c["promo_code_value"] != code]
    if len(kept) == len(codes):
        raise ApiError(404, "PROMO_CODE_NOT_FOUND", f"the code {code} is not in the basket")
    return _send_event(user, basket, "PROMO_CODES", "promo_codes_event_data", kept)


def _offered_amount(product: dict) -> Any:
    """The amount the merchant offers a related product in (its `quantity.quantity`): for a
    DECIMAL product the price shown is the price of that amount ("8,90 zł za 0,1 kg"), so
    adding "1" would add ten times what the shopper saw."""
    return (product.get("quantity") or {}).get("quantity", 1)


def add_related_product(user: AppUser, inpost_basket_id: str, product_id: Any, quantity: Any = None) -> dict:
    """RELATED_PRODUCTS: add one of the merchant's suggested products, by default in the
    amount the merchant offered it."""
    basket = _basket_for(user, inpost_basket_id)
    product = _product(baskets.document(basket), product_id, key="related_products")
    amount = _quantity(_offered_amount(product) if quantity is None else quantity, product, allow_zero=False)
    item = {"product_id": product_id, "quantity": _quantity_object(product, amount)}
    if product.get("ean"):
        item["ean"] = product["ean"]
    return _send_event(user, basket, "RELATED_PRODUCTS", "related_products_event_data", [item])


def _send_event(user: AppUser, basket: Basket, event_type: str, key: str, data: list) -> dict:
    """POST .../basket/{id}/event with the event data as a LIST (DESIGN.md §2); a valid
    answer replaces InPost's copy of the basket, anything else leaves it as it was."""
    payload = {
        "event_id": str(uuid.uuid4()),
        "event_data_time": iso(utcnow()),
        "event_type": event_type,
        "phone_number": {"country_prefix": user.country_prefix, "phone": user.phone},
        key: data,
    }
    basket_id, inpost_basket_id = basket.basket_id, basket.inpost_basket_id
    db.session.commit()
    reply = merchant().basket_event(basket_id, payload, check=_basket_check)
    problem = _reply_problem(reply, "basket event")
    if problem:
        raise problem
    baskets.store_document(db.session.get(Basket, inpost_basket_id), reply.body)
    db.session.commit()
    return basket_detail(user, inpost_basket_id)


def unlink(user: AppUser, inpost_basket_id: str) -> dict:
    """The shopper removes the basket from the app: InPost unlinks it and tells the merchant
    (DELETE .../binding, reference §3.4). The app unlinks whatever the merchant answers."""
    basket = _basket_for(user, inpost_basket_id, active=False)
    if not basket.linked:
        raise ApiError(409, "BASKET_NOT_BOUND", "the basket is not linked")
    baskets.unbind(basket)
    basket_id = basket.basket_id
    db.session.commit()
    reply = merchant().delete_binding(basket_id)
    return {"inpost_basket_id": inpost_basket_id, "unlinked": True,
            "merchant_notified": reply.status in (200, 204), "merchant_status": reply.status}  # fmt: skip


# -- checkout (DESIGN.md §3 steps 6-7) ------------------------------------------------


def checkout(user: AppUser, inpost_basket_id: str, form: dict) -> dict:
    """Place the order: re-read and compare the basket, create the order, then pay.

    1. GET the basket and compare it with InPost's copy (reference §3.1, pitfall 2);
    2. POST /v1/izi/order, expecting 201 and a valid order (reference §3.5, §3.6);
    3. the payment as order events (first UNPAID is implicit; then AUTHORIZED or
       DECLINED; COD for cash on delivery) (reference §3.7, §8.8).
    """
    if not isinstance(form, dict):
        raise _invalid("request body: must be a JSON object")
    basket = _basket_for(user, inpost_basket_id)
    doc = baskets.document(basket)
    choice = _checkout_choice(user, doc, form)
    basket_id = basket.basket_id
    db.session.commit()

    # 1. The merchant's basket must be the one InPost holds.
    reply = merchant().get_basket(basket_id, check=_basket_check)
    problem = _reply_problem(reply, "basket")
    if problem:
        raise problem
    changes = differences(doc, reply.body)
    if changes:
        raise ApiError(409, "BASKET_CHANGED", BASKET_CHANGED_MESSAGE, violations=changes)

    # 2. The order.
    order_request = _order_request(user, basket_id, doc, choice)
    reply = merchant().create_order(basket_id, order_request, check=_order_check)
    if reply.answered and reply.status not in (200, 201):
        raise ApiError(409, "ORDER_NOT_CREATED", reply.error_message(), merchant_status=reply.status)
    if reply.status == 200:
        reply.violations.insert(0, {"field": "(HTTP status)", "problem": "must be 201 Created (reference §3.5)"})
    if reply.answered and not reply.violations:
        reply.violations.extend(_order_cross_check(reply.body, order_request))
    problem = _reply_problem(reply, "order", expected=(200, 201))
    if problem:
        raise problem

    order = _record_order(user, inpost_basket_id, basket_id, order_request, reply.body, choice)
    # 3. The payment.
    _pay(user, order, choice)
    return order_detail(user, order.order_id)


def _checkout_choice(user: AppUser, doc: dict, form: dict) -> dict:
    """Validate what the shopper picked against what the basket offers."""
    deliveries = {d["delivery_type"]: d for d in doc.get("delivery") or []}
    delivery_type = form.get("delivery_type")
    if delivery_type not in DELIVERY_TYPES:
        raise _invalid(f"delivery_type: must be one of {', '.join(DELIVERY_TYPES)}")
    if delivery_type not in deliveries:
        raise _invalid(f"delivery_type: the shop does not offer {delivery_type} for this basket")
    delivery = deliveries[delivery_type]
    offered = {o["delivery_code_value"]: o for o in delivery.get("delivery_options") or []}

    options = form.get("options") or []
    if (
        not isinstance(options, list)
        or not all(isinstance(o, str) for o in options)
        or len(set(options)) != len(options)
    ):
        raise _invalid("options: must be a list of distinct delivery_code_value strings")
    for option in options:
        if option not in offered:
            raise _invalid(f"options: {option} is not offered with {delivery_type}")

    allowed = list((doc.get("summary") or {}).get("payment_type") or DEFAULT_PAYMENT_TYPES)
    if "COD" in offered and "CASH_ON_DELIVERY" not in allowed and not (doc.get("summary") or {}).get("payment_type"):
        allowed.append("CASH_ON_DELIVERY")
    payment_type = form.get("payment_type")
    if not isinstance(payment_type, str) or payment_type not in allowed:
        raise _invalid(f"payment_type: must be one of {', '.join(allowed)}")
    if payment_type == "CASH_ON_DELIVERY":
        if "COD" not in offered:
            raise _invalid(f"payment_type: cash on delivery is not offered with {delivery_type}")
        if "COD" not in options:
            options = [*options, "COD"]  # paying on delivery is the COD service (seed 001)
    elif "COD" in options:
        raise _invalid("options: COD goes with payment_type CASH_ON_DELIVERY")

    outcome = form.get("outcome", "AUTHORIZED")
    if outcome not in PAYMENT_OUTCOMES:
        raise _invalid(f"outcome: must be one of {', '.join(PAYMENT_OUTCOMES)}")

    target = {}
    if delivery_type == "APM":
        point = form.get("delivery_point")
        if not isinstance(point, str) or not LOCKER_ID.match(point.strip().upper()):
            raise _invalid("delivery_point: the parcel locker id, e.g. KRA010")
        target["delivery_point"] = point.strip().upper()
    elif delivery_type == "COURIER":
        target["delivery_address"] = _address(form.get("delivery_address"), user, "delivery_address", with_name=True)
    else:
        email = form.get("digital_delivery_email") or user.mail
        if not isinstance(email, str) or not MAIL.match(email):
            raise _invalid("digital_delivery_email: must be an e-mail address")
        target["digital_delivery_email"] = email
    note = form.get("courier_note")
    if note is not None and (not isinstance(note, str) or len(note) > 500):
        raise _invalid("courier_note: must be a string of at most 500 characters")
    comment = form.get("order_comments")
    if comment is not None and (not isinstance(comment, str) or len(comment) > 500):
        raise _invalid("order_comments: must be a string of at most 500 characters")

    return {
        "delivery": delivery,
        "delivery_type": delivery_type,
        "options": [offered[code] for code in options],
        "codes": options,
        "payment_type": payment_type,
        "outcome": outcome,
        "target": target,
        "courier_note": note,
        "order_comments": comment,
        "consents": _consents(user, doc, form.get("consents")),
        "required_once": {
            (c["consent_id"], c["consent_version"])
            for c in doc.get("consents") or []
            if c["requirement_type"] == "REQUIRED_ONCE"
        },  # fmt: skip
        "invoice": _invoice(form.get("invoice")),
    }


def _address(value: Any, user: AppUser, label: str, with_name: bool = False) -> dict:
    """An address from the form, or the user's profile address when none is given."""
    if value is None:
        address = {"country_code": user.country_code, "address": user.address, "city": user.city,
                   "postal_code": user.postal_code}  # fmt: skip
    else:
        if not isinstance(value, dict):
            raise _invalid(f"{label}: must be an object")
        address = {"country_code": value.get("country_code") or "PL"}
        for key in ("address", "city", "postal_code"):
            if not isinstance(value.get(key), str) or not value[key].strip():
                raise _invalid(f"{label}.{key}: is required")
            address[key] = value[key].strip()
    if with_name:
        name = (value or {}).get("name") if isinstance(value, dict) else None
        address = {"name": name.strip() if isinstance(name, str) and name.strip() else f"{user.name} {user.surname}",
                   **address}  # fmt: skip
    return address


def _consents(user: AppUser, doc: dict, given: Any) -> list[dict]:
    """Each basket consent with is_accepted (reference §8.6).

    REQUIRED_ALWAYS must be accepted for every order; REQUIRED_ONCE once per
    (consent_id, consent_version), remembered for the phone; OPTIONAL as chosen.
    """
    if given is None:
        given = {}
    if not isinstance(given, dict) or not all(isinstance(v, bool) for v in given.values()):
        raise _invalid("consents: must map consent_id to true or false")
    remembered = {
        (a.consent_id, a.consent_version)
        for a in db.session.scalars(db.select(ConsentAcceptance).where(ConsentAcceptance.user_id == user.id))
    }
    result = []
    for consent in doc.get("consents") or []:
        key = (consent["consent_id"], consent["consent_version"])
        accepted = given.get(consent["consent_id"])
        kind = consent["requirement_type"]
        if kind == "REQUIRED_ONCE" and accepted is None and key in remembered:
            accepted = True
        if kind in ("REQUIRED_ALWAYS", "REQUIRED_ONCE") and accepted is not True:
            raise ApiError(400, "CONSENT_REQUIRED", f"consents.{consent['consent_id']}: must be accepted "
                                                    f"({kind}: {consent['consent_description']})")  # fmt: skip
        result.append({"consent_id": consent["consent_id"], "consent_version": consent["consent_version"],
                       "is_accepted": bool(accepted)})  # fmt: skip
    return result


def _invoice(value: Any) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _invalid("invoice: must be an object")
    legal_form = value.get("legal_form")
    if legal_form not in ("PERSON", "COMPANY"):
        raise _invalid("invoice.legal_form: must be PERSON or COMPANY")
    required = ["city", "street", "building", "postal_code"]
    required += ["company_name", "tax_id"] if legal_form == "COMPANY" else ["name", "surname"]
    invoice = {"legal_form": legal_form, "country_code": value.get("country_code") or "PL"}
    for key in required:
        if not isinstance(value.get(key), str) or not value[key].strip():
            raise _invalid(f"invoice.{key}: is required")
    for key in (*required, "tax_id_prefix", "tax_id", "company_name", "name", "surname", "flat", "mail",
                "additional_information"):  # fmt: skip
        if isinstance(value.get(key), str) and value[key].strip():
            invoice[key] = value[key].strip()
    if legal_form == "COMPANY":
        invoice.setdefault("tax_id_prefix", "PL")
    return invoice


def _order_request(user: AppUser, basket_id: str, doc: dict, choice: dict) -> dict:
    """POST /v1/izi/order body (reference §3.5); amounts as JSON numbers."""
    summary = doc["summary"]
    products_price = (
        summary.get("basket_final_price") or summary.get("basket_promo_price") or summary["basket_base_price"]
    )
    # Reference §8.3: basket_price = final + selected delivery + selected options.
    basket_price = add_prices(products_price, choice["delivery"]["delivery_price"],
                              *[o["delivery_option_price"] for o in choice["options"]])  # fmt: skip
    order_details = {
        "basket_id": basket_id,
        "currency": "PLN",
        "basket_price": basket_price,
        "payment_type": choice["payment_type"],
    }
    if summary.get("basket_additional_parameters"):
        order_details["basket_additional_parameters"] = summary["basket_additional_parameters"]
    if choice["order_comments"]:
        order_details["order_comments"] = choice["order_comments"]
    phone_number = {"country_prefix": user.country_prefix, "phone": user.phone}
    delivery = {
        "delivery_type": choice["delivery_type"],
        "delivery_codes": choice["codes"],
        "mail": user.mail,
        "phone_number": phone_number,
        **choice["target"],
    }
    if choice["courier_note"]:
        delivery["courier_note"] = choice["courier_note"]
    body = {
        "order_details": order_details,
        "account_info": {
            "name": user.name,
            "surname": user.surname,
            "phone_number": phone_number,
            "mail": user.mail,
            "client_address": _address(None, user, "client_address"),
        },
    }
    if choice["invoice"]:
        body["invoice_details"] = choice["invoice"]
    body["delivery"] = delivery
    body["consents"] = choice["consents"]
    return body


def _order_cross_check(order: dict, sent: dict) -> list[dict]:
    """The order answer must be the order InPost asked for."""
    found = []
    details = order.get("order_details") or {}
    if details.get("basket_id") != sent["order_details"]["basket_id"]:
        found.append({"field": "order_details.basket_id", "problem": "is not the basket the order was placed for"})
    if details.get("pos_id") != current_app.config["INPOST_PAY_POS_ID"]:
        found.append({"field": "order_details.pos_id",
                      "problem": f"must be the merchant's POS id {current_app.config['INPOST_PAY_POS_ID']}"})  # fmt: skip
    if details.get("payment_type") != sent["order_details"]["payment_type"]:
        found.append({"field": "order_details.payment_type", "problem": "is not the payment type chosen"})
    final = (details.get("order_final_price") or {}).get("gross")
    if parse_amount(final) != sent["order_details"]["basket_price"]["gross"]:
        found.append({"field": "order_details.order_final_price.gross",
                      "problem": f"must equal basket_price.gross {sent['order_details']['basket_price']['gross']}"})  # fmt: skip
    if (order.get("delivery") or {}).get("delivery_type") != sent["delivery"]["delivery_type"]:
        found.append({"field": "delivery.delivery_type", "problem": "is not the delivery type chosen"})
    return found


def _record_order(
    user: AppUser, inpost_basket_id: str, basket_id: str, sent: dict, answer: dict, choice: dict
) -> Order:
    order_id = answer["order_details"]["order_id"]
    order = db.session.get(Order, order_id)
    if order is not None and order.basket_id != basket_id:
        raise ApiError(502, "MERCHANT_ORDER_INVALID", f"order_details.order_id {order_id} belongs to another basket")
    if order is None:  # a repeated POST /order returns the same order (pitfall 5)
        order = Order(order_id=order_id, inpost_basket_id=inpost_basket_id, basket_id=basket_id,
                      country_prefix=user.country_prefix, phone=user.phone, payment_type=choice["payment_type"],
                      request_json=dumps(sent), order_json=dumps(answer),
                      merchant_status_description=answer["order_details"].get("order_merchant_status_description"),
                      delivery_references_json=json.dumps(
                          [str(r) for r in answer["order_details"].get("delivery_references_list") or []]))  # fmt: skip
        db.session.add(order)
    basket = db.session.get(Basket, inpost_basket_id)
    basket.status = "ORDERED"
    for consent in choice["consents"]:
        remember = (consent["consent_id"], consent["consent_version"]) in choice["required_once"]
        if (
            remember
            and consent["is_accepted"]
            and not db.session.scalar(
                db.select(ConsentAcceptance).where(
                    ConsentAcceptance.user_id == user.id,
                    ConsentAcceptance.consent_id == consent["consent_id"],
                    ConsentAcceptance.consent_version == consent["consent_version"],
                )
            )
        ):
            db.session.add(ConsentAcceptance(user_id=user.id, consent_id=consent["consent_id"],
                                             consent_version=consent["consent_version"]))  # fmt: skip
    db.session.commit()
    return order


def _pay(user: AppUser, order: Order, choice: dict) -> None:
    """The payment as InPost reports it to the merchant (reference §3.7).

    UNPAID is the state the order starts in and is not sent; then one event:
    COD for cash on delivery (counts as paid), else AUTHORIZED or DECLINED.
    """
    status = "COD" if choice["payment_type"] == "CASH_ON_DELIVERY" else choice["outcome"]
    event_data = {"payment_status": status, "payment_type": choice["payment_type"]}
    if status != "COD":
        payment_id = str(uuid.uuid4())
        event_data.update(payment_id=payment_id, payment_reference=f"{random.randint(10000, 99999)}_{payment_id}")
    payload = {
        "event_id": str(uuid.uuid4()),
        "event_data_time": iso(utcnow()),
        "phone_number": {"country_prefix": user.country_prefix, "phone": user.phone},
        "event_data": event_data,
    }
    order.payment_status = status
    order_id, basket_id = order.order_id, order.basket_id
    db.session.commit()
    reply = merchant().order_event(order_id, payload, basket_id=basket_id)
    order = db.session.get(Order, order_id)
    db.session.add(OrderEvent(order_id=order_id, direction="to_merchant", event_id=payload["event_id"],
                              body_json=dumps(payload), response_status=reply.status))  # fmt: skip
    # The merchant may answer with its status label and tracking numbers (reference §3.7).
    if reply.status in (200, 201) and isinstance(reply.body, dict):
        label = reply.body.get("order_merchant_status_description")
        if isinstance(label, str) and label:
            order.merchant_status_description = label
    db.session.commit()


# Payment states after which the app offers paying again (reference §8.8: UNPAID -> ... ->
# AUTHORIZED, or DECLINED | CANCELLED | ERROR); STARTED marks an attempt in progress.
RETRY_FROM = ("UNPAID", "DECLINED", "CANCELLED", "ERROR")
FINAL_ORDER_STATUSES = ("ORDER_COMPLETED", "ORDER_REJECTED")


def pay_again(user: AppUser, order_id: str, form: Any) -> dict:
    """A new payment attempt for an order whose payment did not go through.

    The merchant hears it as a new order event with its own event_id and payment_id
    ("InPost Pay: Updating orders at the Merchant's"). Not for an order the merchant
    rejected or completed (after those InPost takes no payment), nor for one paid or
    being paid: the attempt is claimed with one conditional UPDATE, so two taps pay once.
    """
    if not isinstance(form, dict):
        raise _invalid("request body: must be a JSON object")
    outcome = form.get("outcome", "AUTHORIZED")
    if outcome not in PAYMENT_OUTCOMES:
        raise _invalid(f"outcome: must be one of {', '.join(PAYMENT_OUTCOMES)}")
    order = db.session.get(Order, order_id) if isinstance(order_id, str) else None
    if order is None or (order.country_prefix, order.phone) != (user.country_prefix, user.phone):
        raise ApiError(404, "ORDER_NOT_FOUND", "no such order for this phone")
    payment_type = form.get("payment_type", order.payment_type)
    if payment_type not in PAYMENT_TYPES or payment_type == "CASH_ON_DELIVERY":
        raise _invalid("payment_type: must be a payment type paid in the app (not CASH_ON_DELIVERY)")
    if order.order_status in FINAL_ORDER_STATUSES:
        raise ApiError(409, "ORDER_NOT_PAYABLE", f"the merchant marked this order {order.order_status}")
    claimed = db.session.execute(
        db.update(Order)
        .where(Order.order_id == order_id, Order.payment_status.in_(RETRY_FROM))
        .values(payment_status="STARTED", payment_type=payment_type)
    ).rowcount
    db.session.commit()
    if not claimed:
        raise ApiError(409, "ORDER_NOT_PAYABLE", "the order is paid or a payment is in progress")
    _pay(user, db.session.get(Order, order_id), {"payment_type": payment_type, "outcome": outcome})
    return order_detail(user, order_id)


# -- orders in the app --------------------------------------------------------------


def list_orders(user: AppUser) -> list[dict]:
    rows = db.session.scalars(
        db.select(Order)
        .where(Order.country_prefix == user.country_prefix, Order.phone == user.phone)
        .order_by(Order.created_at.desc())
    )
    return [_order_json(o, full=False) for o in rows]


def order_detail(user: AppUser, order_id: str) -> dict:
    order = db.session.get(Order, order_id)
    if order is None or (order.country_prefix, order.phone) != (user.country_prefix, user.phone):
        raise ApiError(404, "ORDER_NOT_FOUND", "no such order for this phone")
    return _order_json(order, full=True)


def _order_json(order: Order, full: bool) -> dict:
    doc = loads(order.order_json)
    details = doc.get("order_details") or {}
    answer = {
        "order_id": order.order_id,
        "customer_order_id": details.get("customer_order_id") or order.order_id,
        "basket_id": order.basket_id,
        "inpost_basket_id": order.inpost_basket_id,
        "order_creation_date": details.get("order_creation_date") or iso(order.created_at),
        "order_status": order.order_status,
        "payment_status": order.payment_status,
        "payment_type": order.payment_type,
        "order_merchant_status_description": order.merchant_status_description,
        "delivery_references_list": json.loads(order.delivery_references_json or "[]"),
        "order_final_price": details.get("order_final_price"),
        "delivery_type": (doc.get("delivery") or {}).get("delivery_type"),
        "products_count": len(doc.get("products") or []),
        "merchant": merchant_json(),
    }
    if full:
        events = db.session.scalars(
            db.select(OrderEvent).where(OrderEvent.order_id == order.order_id).order_by(OrderEvent.id)
        )
        answer["order"] = doc
        answer["events"] = [
            {
                "direction": e.direction,
                "event_id": e.event_id,
                "body": loads(e.body_json),
                "response_status": e.response_status,
                "time": iso(e.created_at),
            }  # fmt: skip
            for e in events
        ]
    return to_plain(answer)
