"""The widget's side of a basket's binding at InPost: asking InPost whether the basket is
linked and the browser trusted ("InPost Pay: Confirming the binding of a basket"), and binding a
new basket of a trusted browser by PUT. Used by the browser API's routes (browser_api.py)."""

from __future__ import annotations

import contextlib

from flask import current_app, g

from inpost_pay import sync
from inpost_pay.baskets import binding_for
from inpost_pay.client import InPostClient
from inpost_pay.database import db
from inpost_pay.errors import InPostError, InPostNotFound, InPostUnavailable
from inpost_pay.shop import current_shop

from . import shopper

# Browser-facing calls wait less than the outbox would: a shopper is looking at a spinner.
BROWSER_TIMEOUT = (2.0, 5.0)
BROWSER_BACKOFF = (0.2,)


def inpost() -> InPostClient:
    return current_app.extensions["widget"]["client"]


def build_client(config: dict) -> InPostClient:
    return InPostClient.from_config(config, timeout=BROWSER_TIMEOUT, backoff=BROWSER_BACKOFF)


def sync_binding_from_inpost(basket_id: str, browser_id: str | None) -> bool:
    """UC.04, the binding check ("InPost Pay: Synchronization of a basket and an order"): ask InPost whether the basket is linked and this browser trusted,
    and bring the shop's record in line. Returns browser_trusted."""
    try:
        answer = inpost().get_basket_binding(basket_id, browser_id=browser_id) or {}
    except InPostNotFound:  # InPost has never seen the basket: not linked
        answer = {"basket_linked": False, "browser_trusted": False}
    except InPostUnavailable:
        raise
    except InPostError as exc:  # refused token, a malformed answer: for the shopper, InPost is down
        raise InPostUnavailable(exc.status, exc.error_code, exc.error_message) from None
    current_shop().begin_write()  # a GET (iziMobileLink) may be the one writing the answer down
    state = binding_for(basket_id, create=True)
    details = answer.get("client_details") if isinstance(answer.get("client_details"), dict) else {}
    if answer.get("basket_linked") is True:
        # Bound here or elsewhere (a trusted browser's PUT carries no phone): InPost says who.
        state.binding_status = "bound"
        state.masked_phone_number = details.get("masked_phone_number") or state.masked_phone_number
        state.name = details.get("name") or state.name
        if answer.get("inpost_basket_id"):
            state.inpost_basket_id = str(answer["inpost_basket_id"])
    elif state.is_bound:  # InPost forgot it (expired, unlinked while we were away)
        state.binding_status = "unbound"
    trusted = answer.get("browser_trusted") is True
    if browser_id and not trusted:
        g.izi_forget_browser = True  # InPost no longer trusts this browser
    shopper.mark_asked(basket_id)
    db.session.commit()
    return trusted


def bind_trusted_browser(basket_id: str, browser_id: str) -> bool:
    """PUT the basket with the trusted browser_id: InPost links it to that browser's phone."""
    if sync.push_basket(basket_id, browser_id=browser_id):
        # sync's end-of-request PUT sees InPost already holds this version and sends nothing.
        return True
    # Refused or unreachable. Only a "not trusted any more" answer costs the browser its cookie.
    with contextlib.suppress(InPostUnavailable):
        sync_binding_from_inpost(basket_id, browser_id)
    return False
