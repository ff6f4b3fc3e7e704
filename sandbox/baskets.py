"""InPost's record of baskets and their bindings, shared by the API and the phone app.

A basket is linked to one phone (the app user who accepted the binding, or the
owner of a trusted browser, Synchronization of a basket and an order (UC.04) step 9). InPost keeps the last valid basket
JSON the merchant sent: the app shows it and compares the merchant's answer with
it before an order (docs/inpost-pay-api.md §3.1, pitfall 2).
"""

from __future__ import annotations

from datetime import timedelta

from sandbox.contract import parse_datetime
from sandbox.extensions import db
from sandbox.jsonutil import dumps, loads
from sandbox.log import mask_phone
from sandbox.models import AppUser, Basket, BindingRequest, Browser, utcnow

# A binding request waits this long in the app before it lapses.
BINDING_REQUEST_TTL = timedelta(minutes=15)


def find(basket_id: str) -> Basket | None:
    return db.session.scalar(db.select(Basket).where(Basket.basket_id == basket_id))


def find_or_create(basket_id: str) -> Basket:
    basket = find(basket_id)
    if basket is None:
        basket = Basket(basket_id=basket_id, status="NEW")
        db.session.add(basket)
        db.session.flush()
    return basket


def document(basket: Basket) -> dict | None:
    """The last basket JSON the merchant sent (amounts as Decimal), or None."""
    return loads(basket.basket_json) if basket.basket_json else None


def store_document(basket: Basket, doc: dict) -> None:
    basket.basket_json = dumps(doc)
    basket.updated_at = utcnow()


def bind(basket: Basket, country_prefix: str, phone: str, doc: dict, browser_id: str | None = None) -> None:
    """Link the basket to a phone with the basket the merchant just confirmed."""
    basket.status = "BOUND"
    basket.country_prefix, basket.phone = country_prefix, phone
    basket.browser_id = browser_id
    basket.bound_at = utcnow()
    store_document(basket, doc)
    cancel_pending_requests(basket)


def unbind(basket: Basket, *, realized: bool = False) -> None:
    """Unlink (docs/inpost-pay-api.md §5.3); `realized` = it was bought on the website."""
    basket.status = "REALIZED" if realized else "UNBOUND"
    basket.updated_at = utcnow()
    cancel_pending_requests(basket)


def cancel_pending_requests(basket: Basket) -> None:
    for request in pending_requests(basket):
        request.status, request.decided_at = "CANCELLED", utcnow()


def pending_requests(basket: Basket) -> list[BindingRequest]:
    return list(
        db.session.scalars(
            db.select(BindingRequest).where(
                BindingRequest.inpost_basket_id == basket.inpost_basket_id, BindingRequest.status == "PENDING"
            )
        )
    )


def request_is_live(request: BindingRequest) -> bool:
    return request.status == "PENDING" and request.created_at > utcnow() - BINDING_REQUEST_TTL


def is_expired(basket: Basket) -> bool:
    """Past the basket_expiration_date the merchant gave: gone from the app (Basket Update)."""
    doc = document(basket)
    if not doc:
        return False
    raw = (doc.get("summary") or {}).get("basket_expiration_date")
    moment = parse_datetime(raw) if isinstance(raw, str) else None
    return moment is not None and moment.replace(tzinfo=None) - moment.utcoffset() <= utcnow()


def trusted_browser(browser_id: str | None) -> Browser | None:
    return db.session.get(Browser, browser_id) if browser_id else None


def app_user(country_prefix: str | None, phone: str | None) -> AppUser | None:
    if not country_prefix or not phone:
        return None
    return db.session.scalar(db.select(AppUser).where(AppUser.country_prefix == country_prefix, AppUser.phone == phone))


def client_details(country_prefix: str, phone: str) -> dict:
    """`client_details` of GET binding (docs/inpost-pay-api.md §5.4): who the basket or browser belongs to."""
    user = app_user(country_prefix, phone)
    return {
        "phone_number": {"country_prefix": country_prefix, "phone": phone},
        "masked_phone_number": mask_phone(phone),
        "name": user.name if user else "",
        "surname": user.surname if user else "",
    }
