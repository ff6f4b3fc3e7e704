"""The hooks the shop offers an integration (docs/architecture.md#four-parties).

The shop announces what happened; an integration (here `inpost_pay/`) subscribes.
The shop never imports an integration. Every signal is sent *inside* the
database transaction of the change, before commit, so a receiver may add rows
to `db.session` (an outbox entry, say) that commit or roll back with the change.
Receivers must not commit, and must not make network calls from the receiver
itself: they record what to do and do it after the request.

    sender: the Flask app (current_app._get_current_object())
"""

from blinker import Namespace

_signals = Namespace()

#: A basket's contents, codes or totals changed.
#: kwargs: basket (models.Basket), source ("shop" for the website; an integration
#: passes its own name when it changes the basket on a partner's request, so that
#: it can tell its own changes from the shopper's).
basket_changed = _signals.signal("basket-changed")

#: An order was placed. kwargs: order (models.Order), basket (models.Basket).
#: `order.channel` says where: "website" or an integration's channel name.
order_placed = _signals.signal("order-placed")

#: The merchant changed an order's status or its descriptive label.
#: kwargs: order, old_status, new_status, label.
order_status_changed = _signals.signal("order-status-changed")

#: A tracking (shipment reference) number was added. kwargs: order, number.
order_tracking_added = _signals.signal("order-tracking-added")

#: An order placed through another channel (e.g. a payment app) was finished on the
#: website instead: the shopper did not pay in that channel. kwargs: order.
#: Sent after the status change to "completed", in the same transaction.
order_completed_on_website = _signals.signal("order-completed-on-website")

#: The shop's tables were just created (or found present): an integration creates its own
#: beside them. No kwargs. Sent by `seed.create_schema` (init-db, seed, first start).
database_created = _signals.signal("database-created")
