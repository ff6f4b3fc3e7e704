"""What the shop's templates use to place the widget (templates/widget/_izi.html).

The page is rendered with the basket's binding as the shop knows it, so a bound basket shows
as bound at once (Synchronization of a basket and an order (UC.04) step 7, `<inpost-izi-button masked_phone_number name count>`);
the widget's first `iziCanBeBound` then confirms it with InPost.
"""

from __future__ import annotations

from flask import Flask, current_app, g, url_for

from inpost_pay.baskets import binding_for, item_count

from . import shopper
from .binding_sync import build_client
from .page_guard import widget_enabled


def register(app: Flask) -> None:
    app.extensions["widget"] = {"client": build_client(app.config)}
    # Template globals, not a context processor: one would run again for every template of a
    # page, and the widget's slots are templates of their own.
    app.jinja_env.globals.update(widget_globals())


def page_state() -> dict:
    """The session basket's count and binding, read once per page."""
    if "izi_page_state" not in g:
        basket = shopper.open_basket()
        state = binding_for(basket.basket_id) if basket is not None else None
        linked = state is not None and state.is_bound
        g.izi_page_state = {
            "count": item_count(basket),
            "basket_linked": linked,
            "masked_phone_number": state.masked_phone_number if linked else None,
            "name": state.name if linked else None,
            "basket_ref": shopper.basket_ref(basket.basket_id) if basket is not None else None,
            "browser_trusted": shopper.trusted_browser_id() is not None,
        }
    return g.izi_page_state


def widget_config() -> dict:
    """`data-*` attributes of the glue script: how the page reaches the browser API."""
    return {
        "api": url_for("izi.can_be_bound").rsplit("/", 1)[0],
        "widget-url": current_app.config.get("INPOST_PAY_WIDGET_URL") or "",
        "socket-transports": "websocket" if current_app.config.get("SOCKETIO_WEBSOCKET_ONLY") else "",
    }


def widget_globals() -> dict:
    return {"izi_enabled": widget_enabled, "izi_state": page_state, "izi_config": widget_config}
