"""Who the shopper is: the basket and the order owner token kept in the signed session cookie.

The cookie holds only random identifiers; everything else is in the database.
A tampered cookie fails its signature and Flask starts an empty session.
"""

from __future__ import annotations

from flask import session

from .basket import get_basket, lock_basket, new_basket
from .models import Basket, new_token

BASKET_KEY = "basket_id"
OWNER_KEY = "owner"


def owner_token() -> str:
    """A random id for this browser session: it owns the orders it places."""
    token = session.get(OWNER_KEY)
    if not isinstance(token, str) or len(token) < 20:
        token = new_token()
        session[OWNER_KEY] = token
    return token


def current_basket_id() -> str | None:
    basket_id = session.get(BASKET_KEY)
    return basket_id if isinstance(basket_id, str) else None


def current_basket(*, create: bool = False, lock: bool = False) -> Basket | None:
    """The session's open basket; a new one when asked to create (and the old one is gone or ordered)."""
    basket_id = current_basket_id()
    basket = lock_basket(basket_id) if (lock and basket_id) else get_basket(basket_id)
    if basket is not None and basket.is_open:
        return basket
    if not create:
        return None
    basket = new_basket()
    session[BASKET_KEY] = basket.id
    owner_token()
    return basket


def forget_basket() -> None:
    """After an order, the session starts a fresh basket (docs/architecture.md#rules)."""
    session.pop(BASKET_KEY, None)
