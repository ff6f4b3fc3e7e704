"""Who is on the page, as the widget sees them: the session's basket, its InPost state, and
whether this browser is one InPost trusts (Synchronization of a basket and an order (UC.04) steps 5-6, 9).

The basket is the shop's session basket, read through the seam (inpost_pay/shop.py); a browser's
trusted `browser_id` lives in a long-lived HttpOnly cookie of its own, because it outlives
baskets and sessions: InPost issued it when the shopper ticked "trust this browser" in the
app (docs/inpost-pay-api.md §7.4, Confirming the binding of a basket `browser.browser_id`), and the shop sends it back in later
`GET .../binding?browser_id=` and `PUT /v1/izi/basket/{id}` calls.
"""

from __future__ import annotations

import hashlib
import re

from flask import Response, request, session

from inpost_pay.baskets import binding_for
from inpost_pay.models import InPostBasket
from inpost_pay.shop import BasketView, current_shop

TRUSTED_COOKIE = "izi_browser"
TRUSTED_MAX_AGE = 365 * 24 * 3600
# InPost's ids are UUIDs; the cookie is the browser's to tamper with, so accept only id-like text.
BROWSER_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

#: The session key naming the basket whose binding InPost was asked about (Synchronization of a basket and an order (UC.04) step 5:
#: "at the first method called by the Widget"); later calls trust the shop's own record,
#: which InPost keeps current through its confirmation and DELETE binding calls.
ASKED_KEY = "izi_asked"
#: The last basket this session ordered through InPost Pay: the order-complete answer stays
#: available for every tab of the session after the session moved on to a fresh basket.
ORDERED_KEY = "izi_ordered_basket"


def basket_ref(basket_id: str | None) -> str | None:
    """A short, non-secret name of the basket for the page: it tells the page's socket that
    the session now has another basket (reconnect to join its room) without showing the id."""
    if not basket_id:
        return None
    return hashlib.sha256(basket_id.encode()).hexdigest()[:16]


def trusted_browser_id() -> str | None:
    value = request.cookies.get(TRUSTED_COOKIE, "")
    return value if BROWSER_ID.match(value) else None


def remember_trusted_browser(response: Response, browser_id: str) -> None:
    response.set_cookie(
        TRUSTED_COOKIE,
        browser_id,
        max_age=TRUSTED_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )


def forget_trusted_browser(response: Response) -> None:
    response.delete_cookie(TRUSTED_COOKIE, httponly=True, samesite="Lax")


def basket_state(basket: BasketView) -> InPostBasket:
    """The basket's InPost record, created on first use and marked as this session's, so the
    order InPost places for it later is visible to this session (merchant_api.create_order)."""
    state = binding_for(basket.basket_id, create=True)
    if not state.owner_token:
        state.owner_token = current_shop().session_owner()
    if state.binding_status is None:
        state.binding_status = "unbound"
    return state


def open_basket(*, create: bool = False, lock: bool = False) -> BasketView | None:
    return current_shop().session_basket(create=create, lock=lock)


def asked_inpost(basket_id: str) -> bool:
    return session.get(ASKED_KEY) == basket_id


def mark_asked(basket_id: str) -> None:
    session[ASKED_KEY] = basket_id
