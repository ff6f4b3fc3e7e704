"""The basket screens: the list of active baskets and one basket, changed in the app
(quantity, promo codes, related products) through calls to the merchant, or unlinked."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox import baskets
from sandbox.app_actions.common import basket_check, invalid, merchant, merchant_json, reply_problem
from sandbox.errors import ApiError
from sandbox.extensions import db
from sandbox.jsonutil import MAX_NUMBER, to_plain
from sandbox.models import (
    AppUser,
    Basket,
    ConsentAcceptance,
    iso,
    utcnow,
)


def basket_for(user: AppUser, inpost_basket_id: str, active: bool = True) -> Basket:
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
    return [basket_summary(b) for b in rows if not baskets.is_expired(b)]


def basket_summary(basket: Basket) -> dict:
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
    basket = basket_for(user, inpost_basket_id, active=False)
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
        "warnings": basket_check(doc)[1] if doc else [],
        "accepted_consents": [{"consent_id": a.consent_id, "consent_version": a.consent_version} for a in accepted],
        "basket": to_plain(doc),
    }


def refresh_basket(user: AppUser, inpost_basket_id: str) -> dict:
    """Re-read the basket from the merchant (after "basket changed, refresh")."""
    basket = basket_for(user, inpost_basket_id)
    basket_id = basket.basket_id
    db.session.commit()
    reply = merchant().get_basket(basket_id, check=basket_check)
    problem = reply_problem(reply, "basket")
    if problem:
        raise problem
    baskets.store_document(db.session.get(Basket, inpost_basket_id), reply.body)
    db.session.commit()
    return basket_detail(user, inpost_basket_id)


def _product(doc: dict, product_id: Any, key: str = "products") -> dict:
    if not isinstance(product_id, str) or not product_id:
        raise invalid("product_id: must be a non-empty string")
    for product in doc.get(key) or []:
        if product.get("product_id") == product_id:
            return product
    raise ApiError(404, "PRODUCT_NOT_FOUND", f"no product {product_id!r} in this basket's {key}")


def _quantity(value: Any, product: dict, allow_zero: bool) -> Decimal | int:
    """A quantity the app lets the shopper choose (docs/inpost-pay-api.md §8.2: capped by available/max)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise invalid("quantity: must be a number")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise invalid("quantity: must be a number") from None
    if not amount.is_finite() or (amount and amount.adjusted() >= MAX_NUMBER.adjusted()):  # abs() can overflow
        raise invalid(f"quantity: must be a finite number below {MAX_NUMBER:f}")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise invalid("quantity: must be positive" if not allow_zero else "quantity: must not be negative")
    info = product.get("quantity") or {}
    kind = info.get("quantity_type", "INTEGER")
    if kind == "INTEGER" and amount != amount.to_integral_value():
        raise invalid("quantity: this product is sold in whole pieces")
    for limit_key in ("max_quantity", "available_quantity"):
        limit = info.get(limit_key)
        if limit is not None and amount > Decimal(str(limit)):
            raise invalid(f"quantity: at most {limit} ({limit_key})")
    return int(amount) if kind == "INTEGER" else amount


def _quantity_object(product: dict, amount) -> dict:
    info = product.get("quantity") or {}
    result = {"quantity": amount, "quantity_type": info.get("quantity_type", "INTEGER")}
    if info.get("quantity_unit"):
        result["quantity_unit"] = info["quantity_unit"]
    return result


def change_quantity(user: AppUser, inpost_basket_id: str, product_id: Any, quantity: Any) -> dict:
    """PRODUCTS_QUANTITY: the absolute quantity of one line; 0 removes it (docs/inpost-pay-api.md §3.3)."""
    basket = basket_for(user, inpost_basket_id)
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

    The app takes codes one at a time (InPost Pay (Basket App): "każdy z nich musi zostać wpisany
    pojedynczo"); an invalid code comes back as a basket_notice, not an HTTP error.
    """
    if not isinstance(code, str) or not code.strip() or len(code) > 100:
        raise invalid("promo_code_value: must be a non-empty string")
    code = code.strip()
    basket = basket_for(user, inpost_basket_id)
    codes = _codes(baskets.document(basket))
    if any(c["promo_code_value"].upper() == code.upper() for c in codes):
        raise ApiError(409, "PROMO_CODE_EXISTS", f"the code {code} is already in the basket")
    codes.append({"name": code, "promo_code_value": code})
    return _send_event(user, basket, "PROMO_CODES", "promo_codes_event_data", codes)


def remove_promo_code(user: AppUser, inpost_basket_id: str, code: Any) -> dict:
    """PROMO_CODES with the full set minus this code."""
    basket = basket_for(user, inpost_basket_id)
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
    basket = basket_for(user, inpost_basket_id)
    product = _product(baskets.document(basket), product_id, key="related_products")
    amount = _quantity(_offered_amount(product) if quantity is None else quantity, product, allow_zero=False)
    item = {"product_id": product_id, "quantity": _quantity_object(product, amount)}
    if product.get("ean"):
        item["ean"] = product["ean"]
    return _send_event(user, basket, "RELATED_PRODUCTS", "related_products_event_data", [item])


def _send_event(user: AppUser, basket: Basket, event_type: str, key: str, data: list) -> dict:
    """POST .../basket/{id}/event with the event data as a LIST (docs/architecture.md#interfaces); a valid
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
    reply = merchant().basket_event(basket_id, payload, check=basket_check)
    problem = reply_problem(reply, "basket event")
    if problem:
        raise problem
    baskets.store_document(db.session.get(Basket, inpost_basket_id), reply.body)
    db.session.commit()
    return basket_detail(user, inpost_basket_id)


def unlink(user: AppUser, inpost_basket_id: str) -> dict:
    """The shopper removes the basket from the app: InPost unlinks it and tells the merchant
    (DELETE .../binding, docs/inpost-pay-api.md §3.4). The app unlinks whatever the merchant answers."""
    basket = basket_for(user, inpost_basket_id, active=False)
    if not basket.linked:
        raise ApiError(409, "BASKET_NOT_BOUND", "the basket is not linked")
    baskets.unbind(basket)
    basket_id = basket.basket_id
    db.session.commit()
    reply = merchant().delete_binding(basket_id)
    return {"inpost_basket_id": inpost_basket_id, "unlinked": True,
            "merchant_notified": reply.status in (200, 204), "merchant_status": reply.status}  # fmt: skip
