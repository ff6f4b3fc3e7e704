"""Echo suppression: what InPost itself asked for is never reported back to InPost.

A basket change made for InPost's basket event would otherwise be PUT back ("InPost Pay:
Basket Update"), and an order change made for InPost's order call would come back to it as an
order event ("InPost Pay: Updating orders at the Merchant's"). Both ask one question,
`from_inpost`.
"""

from __future__ import annotations

from flask import has_request_context, request

from .shop import CHANNEL

#: The merchant API's blueprint: a request it handles is InPost's own call.
MERCHANT_API_BLUEPRINT = "inpost_merchant_api"


def from_inpost(source: str | None = None) -> bool:
    """True for a change InPost caused: one the seam marks with `source=CHANNEL` (a basket
    change made through the seam), or any change made while the merchant API handles InPost's
    call (order changes carry no source)."""
    return source == CHANNEL or (has_request_context() and request.blueprint == MERCHANT_API_BLUEPRINT)
