"""What the widget tells a page about a basket's binding or an order, in one shape whether it
travels as a socket push (pushes.py) or as a REST answer (browser_api.py)."""

from __future__ import annotations

from inpost_pay.shop import OrderView, current_shop


def binding_payload(state, *, with_status: bool = False) -> dict:
    """`{basket_linked, masked_phone_number, name}` (+ `status`) from the shop's InPost record."""
    linked = state is not None and state.is_bound
    payload = {
        "basket_linked": linked,
        "masked_phone_number": state.masked_phone_number if linked else None,
        "name": state.name if linked else None,
    }
    if with_status:
        payload["status"] = (state.binding_status if state is not None else None) or "unbound"
    return payload


def order_status_payload(order: OrderView) -> dict:
    """The order's status and payment as the shop's pages word and colour them."""
    labels = current_shop().labels(order)
    return {
        "order_id": order.id,
        "status": order.status,
        "status_label": labels.status_label,
        "status_tone": labels.status_tone,
        "payment_status": order.payment_status,
        "payment_label": labels.payment_label,
        "payment_tone": labels.payment_tone,
    }
