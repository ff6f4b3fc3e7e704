"""The durable outbox: calls to InPost that must not be lost (docs/architecture.md#the-flows step 8-9).

A merchant's change to an InPost Pay order (Updating orders at the Merchant’s "Order synchronization
initiated on the Merchant's store website") and the unbinding calls of
docs/inpost-pay-api.md §5.3 / §5.13 are not made while the shop handles the change. They are
written here, as an `OutboxMessage` row in the *same* database transaction as the
change itself: the change and the promise to tell InPost commit together or not
at all. A worker then sends them:

1. claim   one due message in its own short transaction (status `sending`, a lease),
           then commit. No database transaction is held while InPost is called.
2. send    one HTTP try through `InPostClient` (built without its own retries:
           the outbox owns the retry policy, so `attempts` counts real tries).
3. record  the result in a new short transaction: `sent`; or back to `pending`
           with an exponential, jittered backoff when InPost is unavailable
           (timeout, connection error, 5xx, 429); or `dead` after
           `max_attempts`, or at once for an answer that repeating cannot change
           (400, 409 `STATUS_ORDER_ERROR`, ...). A dead message waits in the back
           office (console.py) for a merchant to retry or discard it.

Ordering: messages share an `ordering_key` (`order:<id>`, `basket:<id>`,
`browser:<id>`); one is sent only when no older message with its key is still
pending, sending or dead, so InPost sees an order's changes in the order the
merchant made them, and a dead one holds back its successors until a person
decides.

Several processes: a claim is exclusive. On PostgreSQL the candidate row is read
with `SELECT ... FOR UPDATE SKIP LOCKED`; on SQLite every transaction of the shop
starts with `BEGIN IMMEDIATE` (storefront/extensions.py), so the read-and-mark of
a claim runs alone. A worker that dies mid-send leaves a `sending` row whose lease
runs out; another worker takes it again. The repeat carries the same `event_id`
(made once, at enqueue time), which is what InPost dedupes on (docs/inpost-pay-api.md §8.9).
"""

from ..errors import InPostUnavailable  # what the worker retries on, named here since the module had it
from .model import (
    BLOCKING,
    DEAD,
    DISCARDED,
    FORGET_BROWSER,
    KINDS,
    ORDER_EVENT,
    PENDING,
    SENDING,
    SENT,
    STATUSES,
    UNBIND,
    OutboxMessage,
    Settings,
    backoff_delay,
)
from .queue import (
    Claim,
    OutboxError,
    blocked_ids,
    claim_next,
    describe,
    discard,
    enqueue,
    enqueue_forget_browser,
    enqueue_unbind,
    iso_now,
    record,
    retry,
    seconds_until_next_due,
)
from .worker import Worker, current_send, default_worker_id, drain, process_one, send, start_worker, worker_client

__all__ = [
    "BLOCKING", "InPostUnavailable", "DEAD", "DISCARDED", "FORGET_BROWSER", "KINDS", "ORDER_EVENT", "PENDING", "SENDING", "SENT",
    "STATUSES", "UNBIND", "Claim", "OutboxError", "OutboxMessage", "Settings", "Worker", "backoff_delay",
    "blocked_ids", "claim_next", "current_send", "default_worker_id", "describe", "discard", "drain", "enqueue",
    "enqueue_forget_browser", "enqueue_unbind", "iso_now", "process_one", "record", "retry",
    "seconds_until_next_due", "send", "start_worker", "worker_client",
]
