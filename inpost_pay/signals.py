"""What the server side of the integration tells the browser side (`widget/`).

Sent after the database commit, from the request that made the change. The
widget package subscribes and pushes to the shopper's page over Socket.IO; REST
stays the fallback (docs/architecture.md#interfaces), so a missed push is never lost state.

    sender: the Flask app
"""

from blinker import Namespace

_signals = Namespace()

#: InPost confirmed (or the shopper rejected / unlinked) a basket binding.
#: kwargs: basket_id, basket_linked (bool), masked_phone_number, name
binding_changed = _signals.signal("inpost-binding-changed")

#: The shopper changed the basket in the InPost app. kwargs: basket_id, count
basket_changed_in_app = _signals.signal("inpost-basket-changed-in-app")

#: A shop request changed baskets, and InPost got them (or could not be reached).
#: kwargs: baskets = [(basket_id, count, basket_linked), ...]
shop_baskets_synced = _signals.signal("inpost-shop-baskets-synced")

#: InPost placed an order for a basket. kwargs: basket_id, order (inpost_pay.shop.OrderView)
order_created = _signals.signal("inpost-order-created")

#: InPost reported a payment or order status. kwargs: order, payment_status, order_status
order_updated = _signals.signal("inpost-order-updated")
