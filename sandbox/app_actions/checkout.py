"""The checkout screen: delivery, consents, invoice, payment; the order is created at the
merchant and paid."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import current_app

from sandbox import baskets
from sandbox.app_actions.basket import basket_for
from sandbox.app_actions.common import (
    BASKET_CHANGED_MESSAGE,
    MAIL,
    basket_check,
    invalid,
    merchant,
    order_check,
    reply_problem,
)
from sandbox.app_actions.orders import order_detail
from sandbox.app_actions.payment import PAYMENT_OUTCOMES, pay
from sandbox.contract import DELIVERY_TYPES, differences
from sandbox.errors import ApiError
from sandbox.extensions import db
from sandbox.jsonutil import dumps
from sandbox.models import (
    AppUser,
    Basket,
    ConsentAcceptance,
    Order,
)
from sandbox.money import add_prices, parse_amount

# Payment types the app offers when the basket's list is empty (Basket Update: "a default
# list of payments according to the merchant's configuration in the payment gateway").
DEFAULT_PAYMENT_TYPES = ["CARD", "BLIK_CODE", "PAY_BY_LINK", "GOOGLE_PAY", "APPLE_PAY"]

LOCKER_ID = re.compile(r"^[A-Z0-9-]{3,20}$")


# InPost's app offers Paczkomaty from InPost's own points database; the sandbox keeps a
# small fixed set (codes in the shape of docs/inpost-pay-api.md §3.5 `delivery.delivery_point`) so a
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
        raise invalid("q: must be a text of at most 100 characters")
    words = query.casefold().split()
    found = []
    for code, city, street, postal_code, description in PARCEL_LOCKERS:
        haystack = f"{code} {city} {street} {postal_code} {description}".casefold()
        if all(word in haystack for word in words):
            found.append({"code": code, "city": city, "street": street, "postal_code": postal_code,
                          "description": description})  # fmt: skip
    return found


def checkout(user: AppUser, inpost_basket_id: str, form: dict) -> dict:
    """Place the order: re-read and compare the basket, create the order, then pay.

    1. GET the basket and compare it with InPost's copy (docs/inpost-pay-api.md §3.1, pitfall 2);
    2. POST /v1/izi/order, expecting 201 and a valid order (docs/inpost-pay-api.md §3.5, §3.6);
    3. the payment as order events (first UNPAID is implicit; then AUTHORIZED or
       DECLINED; COD for cash on delivery) (docs/inpost-pay-api.md §3.7, §8.8).
    """
    if not isinstance(form, dict):
        raise invalid("request body: must be a JSON object")
    basket = basket_for(user, inpost_basket_id)
    doc = baskets.document(basket)
    choice = _checkout_choice(user, doc, form)
    basket_id = basket.basket_id
    db.session.commit()

    # 1. The merchant's basket must be the one InPost holds.
    reply = merchant().get_basket(basket_id, check=basket_check)
    problem = reply_problem(reply, "basket")
    if problem:
        raise problem
    changes = differences(doc, reply.body)
    if changes:
        raise ApiError(409, "BASKET_CHANGED", BASKET_CHANGED_MESSAGE, violations=changes)

    # 2. The order.
    order_request = _order_request(user, basket_id, doc, choice)
    reply = merchant().create_order(basket_id, order_request, check=order_check)
    if reply.answered and reply.status not in (200, 201):
        raise ApiError(409, "ORDER_NOT_CREATED", reply.error_message(), merchant_status=reply.status)
    if reply.status == 200:
        reply.violations.insert(0, {"field": "(HTTP status)", "problem": "must be 201 Created (docs/inpost-pay-api.md §3.5)"})
    if reply.answered and not reply.violations:
        reply.violations.extend(_order_cross_check(reply.body, order_request))
    problem = reply_problem(reply, "order", expected=(200, 201))
    if problem:
        raise problem

    order = _record_order(user, inpost_basket_id, basket_id, order_request, reply.body, choice)
    # 3. The payment.
    pay(user, order, choice)
    return order_detail(user, order.order_id)


def _checkout_choice(user: AppUser, doc: dict, form: dict) -> dict:
    """Validate what the shopper picked against what the basket offers."""
    deliveries = {d["delivery_type"]: d for d in doc.get("delivery") or []}
    delivery_type = form.get("delivery_type")
    if delivery_type not in DELIVERY_TYPES:
        raise invalid(f"delivery_type: must be one of {', '.join(DELIVERY_TYPES)}")
    if delivery_type not in deliveries:
        raise invalid(f"delivery_type: the shop does not offer {delivery_type} for this basket")
    delivery = deliveries[delivery_type]
    offered = {o["delivery_code_value"]: o for o in delivery.get("delivery_options") or []}

    options = form.get("options") or []
    if (
        not isinstance(options, list)
        or not all(isinstance(o, str) for o in options)
        or len(set(options)) != len(options)
    ):
        raise invalid("options: must be a list of distinct delivery_code_value strings")
    for option in options:
        if option not in offered:
            raise invalid(f"options: {option} is not offered with {delivery_type}")

    allowed = list((doc.get("summary") or {}).get("payment_type") or DEFAULT_PAYMENT_TYPES)
    if "COD" in offered and "CASH_ON_DELIVERY" not in allowed and not (doc.get("summary") or {}).get("payment_type"):
        allowed.append("CASH_ON_DELIVERY")
    payment_type = form.get("payment_type")
    if not isinstance(payment_type, str) or payment_type not in allowed:
        raise invalid(f"payment_type: must be one of {', '.join(allowed)}")
    if payment_type == "CASH_ON_DELIVERY":
        if "COD" not in offered:
            raise invalid(f"payment_type: cash on delivery is not offered with {delivery_type}")
        if "COD" not in options:
            options = [*options, "COD"]  # paying on delivery is the COD service (Basket Update)
    elif "COD" in options:
        raise invalid("options: COD goes with payment_type CASH_ON_DELIVERY")

    outcome = form.get("outcome", "AUTHORIZED")
    if outcome not in PAYMENT_OUTCOMES:
        raise invalid(f"outcome: must be one of {', '.join(PAYMENT_OUTCOMES)}")

    target = {}
    if delivery_type == "APM":
        point = form.get("delivery_point")
        if not isinstance(point, str) or not LOCKER_ID.match(point.strip().upper()):
            raise invalid("delivery_point: the parcel locker id, e.g. KRA010")
        target["delivery_point"] = point.strip().upper()
    elif delivery_type == "COURIER":
        target["delivery_address"] = _address(form.get("delivery_address"), user, "delivery_address", with_name=True)
    else:
        email = form.get("digital_delivery_email") or user.mail
        if not isinstance(email, str) or not MAIL.match(email):
            raise invalid("digital_delivery_email: must be an e-mail address")
        target["digital_delivery_email"] = email
    note = form.get("courier_note")
    if note is not None and (not isinstance(note, str) or len(note) > 500):
        raise invalid("courier_note: must be a string of at most 500 characters")
    comment = form.get("order_comments")
    if comment is not None and (not isinstance(comment, str) or len(comment) > 500):
        raise invalid("order_comments: must be a string of at most 500 characters")

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
            raise invalid(f"{label}: must be an object")
        address = {"country_code": value.get("country_code") or "PL"}
        for key in ("address", "city", "postal_code"):
            if not isinstance(value.get(key), str) or not value[key].strip():
                raise invalid(f"{label}.{key}: is required")
            address[key] = value[key].strip()
    if with_name:
        name = (value or {}).get("name") if isinstance(value, dict) else None
        address = {"name": name.strip() if isinstance(name, str) and name.strip() else f"{user.name} {user.surname}",
                   **address}  # fmt: skip
    return address


def _consents(user: AppUser, doc: dict, given: Any) -> list[dict]:
    """Each basket consent with is_accepted (docs/inpost-pay-api.md §8.6).

    REQUIRED_ALWAYS must be accepted for every order; REQUIRED_ONCE once per
    (consent_id, consent_version), remembered for the phone; OPTIONAL as chosen.
    """
    if given is None:
        given = {}
    if not isinstance(given, dict) or not all(isinstance(v, bool) for v in given.values()):
        raise invalid("consents: must map consent_id to true or false")
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
        raise invalid("invoice: must be an object")
    legal_form = value.get("legal_form")
    if legal_form not in ("PERSON", "COMPANY"):
        raise invalid("invoice.legal_form: must be PERSON or COMPANY")
    required = ["city", "street", "building", "postal_code"]
    required += ["company_name", "tax_id"] if legal_form == "COMPANY" else ["name", "surname"]
    invoice = {"legal_form": legal_form, "country_code": value.get("country_code") or "PL"}
    for key in required:
        if not isinstance(value.get(key), str) or not value[key].strip():
            raise invalid(f"invoice.{key}: is required")
    for key in (*required, "tax_id_prefix", "tax_id", "company_name", "name", "surname", "flat", "mail",
                "additional_information"):  # fmt: skip
        if isinstance(value.get(key), str) and value[key].strip():
            invoice[key] = value[key].strip()
    if legal_form == "COMPANY":
        invoice.setdefault("tax_id_prefix", "PL")
    return invoice


def _order_request(user: AppUser, basket_id: str, doc: dict, choice: dict) -> dict:
    """POST /v1/izi/order body (docs/inpost-pay-api.md §3.5); amounts as JSON numbers."""
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
