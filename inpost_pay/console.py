"""The integration console in the back office: the conversation with InPost and the outbox.

docs/architecture.md#rules "Logs": "The back office shows them: a developer studying the
integration can watch the conversation." Two pages under `/admin/inpost`, behind
the shop's own back-office sign-in:

- `/admin/inpost/` — the outbox (outbox/): what waits, what went, what died and
  why; a dead message can be sent again or discarded (it holds back the later
  messages of its order until then);
- `/admin/inpost/rozmowa` — every call in both directions (`inbound`: InPost called
  us, with the signature check's result; `outbound`: we called InPost), its status
  and duration, and the bodies with phone numbers masked (calllog.py masks them).

The calls come from calllog's in-memory lines through a sink. The sink only queues
them: it runs inside other code's transactions (on SQLite a second writer there
would wait for the first, which waits for us), so the rows are written later by
the outbox worker's loop, or when this console is opened.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from datetime import datetime

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, insert, select

from . import calllog, order_sync, outbox
from .database import db
from .models import InPostCall, utcnow
from .shop import OrderView, current_shop

bp = Blueprint("inpost_console", __name__, url_prefix="/admin/inpost", template_folder="templates", static_folder=None)

PAGE_SIZE = 50
MAX_BODY = 20000
DIRECTIONS = {calllog.INBOUND: "InPost → sklep", calllog.OUTBOUND: "sklep → InPost"}
OUTBOX_STATUS_NAMES = {
    outbox.PENDING: "czeka",
    outbox.SENDING: "wysyłana",
    outbox.SENT: "wysłana",
    outbox.DEAD: "nie wysłana",
    outbox.DISCARDED: "odrzucona",
}
KIND_NAMES = {
    outbox.ORDER_EVENT: "zdarzenie zamówienia",
    outbox.UNBIND: "odpięcie koszyka",
    outbox.FORGET_BROWSER: "zapomnienie przeglądarki",
}


# --- the call log, kept in the database ---------------------------------------------------------


class CallRecorder:
    """Lines of the call log waiting to be written to `inpost_call` (one per app)."""

    def __init__(self, maxlen: int = 5000):
        self._pending: deque[dict] = deque(maxlen=maxlen)
        self._lock = threading.Lock()

    def add(self, entry: dict) -> None:
        with self._lock:
            self._pending.append(entry)

    def flush(self) -> int:
        """Write the queued lines in the current session's transaction, and commit."""
        with self._lock:
            entries = list(self._pending)
            self._pending.clear()
        if not entries:
            return 0
        try:
            current_shop().begin_write()  # the console's GET pages flush too
            db.session.execute(insert(InPostCall), [row_of(e) for e in entries])
            db.session.commit()
        except Exception:
            db.session.rollback()
            with self._lock:  # keep them for the next try
                self._pending.extendleft(reversed(entries))
            raise
        return len(entries)


def _text(value) -> str | None:
    """A body as text. calllog has masked it already (masking twice would blur `60*****00`)."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value[:MAX_BODY]


def row_of(entry: dict) -> dict:
    """An `inpost_call` row from a (masked) calllog entry."""
    try:
        at = datetime.fromisoformat(str(entry.get("at")).replace("Z", "+00:00"))
    except ValueError:
        at = utcnow()
    response = entry.get("response_body")
    if response is None and entry.get("error_code"):
        response = {"error_code": entry["error_code"]}
    return {
        "at": at,
        "direction": str(entry.get("direction") or "")[:10],
        "method": str(entry.get("method", ""))[:10],
        "path": str(entry.get("path", ""))[:300],
        "status": entry.get("status"),
        "duration_ms": int(round(float(entry.get("duration_ms") or 0))),
        "basket_id": entry.get("basket_id"),
        "order_id": entry.get("order_id"),
        "verification": (str(entry["verification"])[:200] if entry.get("verification") else None),
        "request_body": _text(entry.get("request_body")),
        "response_body": _text(response),
    }


def record_call(entry: dict) -> None:
    """calllog sink: queue the line for the app whose code made or served the call."""
    try:
        app = current_app._get_current_object()
    except RuntimeError:
        return  # no app around (a script using the client alone): the log line is enough
    recorder = app.extensions.get("inpost_pay_calls")
    if recorder is None:
        return
    entry = dict(entry)
    sending = outbox.current_send()
    if sending is not None and entry.get("direction") == calllog.OUTBOUND and entry.get("request_body") is None:
        # The client logs no bodies; the outbox knows what it sent (already free of phone numbers,
        # masked again all the same).
        if sending.kind == outbox.ORDER_EVENT:
            entry["request_body"] = calllog.mask_secrets(sending.body)
        entry["outbox_id"] = sending.id
    recorder.add(entry)


# --- pages --------------------------------------------------------------------------------------


@bp.before_request
def require_sign_in():
    """The shop's back-office password guards these pages too."""
    shop = current_shop()
    if not shop.admin_signed_in():
        return redirect(shop.admin_login_url(request.full_path.rstrip("?") if request.method == "GET" else None))
    recorder = current_app.extensions.get("inpost_pay_calls")
    if recorder is not None:
        recorder.flush()  # so the page shows the latest calls even with no worker in this process
    return None


def _int_arg(name: str, default: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except (TypeError, ValueError):
        return default
    return max(1, min(value, 100_000))


@bp.get("/")
def outbox_page():
    status = request.args.get("status", "")
    notice = None
    if status and status not in outbox.STATUSES:
        notice = "Nieznany stan w filtrze: pokazujemy wszystkie wiadomości."
        status = ""
    page = _int_arg("page", 1)
    query = select(outbox.OutboxMessage)
    if status:
        query = query.where(outbox.OutboxMessage.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    messages = db.session.scalars(
        query.order_by(outbox.OutboxMessage.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    counts = dict(
        db.session.execute(
            select(outbox.OutboxMessage.status, func.count()).group_by(outbox.OutboxMessage.status)
        ).all()
    )
    state = current_app.extensions["inpost_pay"]
    return render_template(
        "inpost_console/outbox.html",
        messages=messages,
        blocked=outbox.blocked_ids(messages),
        status=status,
        counts=counts,
        notice=notice,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        worker=state.worker,
        settings=outbox.Settings.from_config(current_app.config),
        labels_map=order_sync.status_labels(),
        now=utcnow(),
    )


def _message(message_id: int) -> outbox.OutboxMessage:
    """:raise 404: no such message."""
    message = db.session.get(outbox.OutboxMessage, message_id) if 0 < message_id < 2**31 else None
    if message is None:
        abort(404)
    return message


@bp.get("/wiadomosci/<int:message_id>")
def message_page(message_id: int):
    message = _message(message_id)
    calls = []
    if message.order_id or message.basket_id:
        query = select(InPostCall).where(InPostCall.direction == calllog.OUTBOUND)
        if message.order_id:
            query = query.where(InPostCall.order_id == message.order_id)
        else:
            query = query.where(InPostCall.basket_id == message.basket_id)
        calls = db.session.scalars(query.order_by(InPostCall.id.desc()).limit(20)).all()
    return render_template(
        "inpost_console/message.html",
        message=message,
        body=json.dumps(message.body, ensure_ascii=False, indent=2),
        blocked=outbox.blocked_ids([message]),
        calls=calls,
        now=utcnow(),
    )


def _act(message_id: int, action, success: str):
    try:
        action(message_id)
    except outbox.OutboxError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(success, "success")
    back = request.form.get("back")
    if back == "list":
        return redirect(url_for(".outbox_page"))
    message = db.session.get(outbox.OutboxMessage, message_id)
    if back == "order" and message is not None and message.order_id and message.order_id.isdigit():
        return redirect(current_shop().admin_order_url(int(message.order_id)))
    return redirect(url_for(".message_page", message_id=message_id))


@bp.post("/wiadomosci/<int:message_id>/ponow")
def retry(message_id: int):
    _message(message_id)
    return _act(message_id, outbox.retry, "Wiadomość czeka na ponowne wysłanie.")


@bp.post("/wiadomosci/<int:message_id>/odrzuc")
def discard(message_id: int):
    _message(message_id)
    return _act(message_id, outbox.discard, "Wiadomość odrzucona: InPost jej nie dostanie.")


@bp.get("/rozmowa")
def calls_page():
    direction = request.args.get("direction", "")
    notice = None
    if direction and direction not in DIRECTIONS:
        notice = "Nieznany kierunek w filtrze: pokazujemy całą rozmowę."
        direction = ""
    page = _int_arg("page", 1)
    query = select(InPostCall)
    if direction:
        query = query.where(InPostCall.direction == direction)
    order_id = request.args.get("order_id", "").strip()[:64]
    if order_id:
        query = query.where(InPostCall.order_id == order_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    calls = db.session.scalars(
        query.order_by(InPostCall.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "inpost_console/calls.html",
        calls=calls,
        direction=direction,
        directions=DIRECTIONS,
        order_id=order_id,
        notice=notice,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


@bp.get("/rozmowa/<int:call_id>")
def call_page(call_id: int):
    call = db.session.get(InPostCall, call_id) if 0 < call_id < 2**31 else None
    if call is None:
        abort(404)
    return render_template(
        "inpost_console/call.html",
        call=call,
        request_body=pretty(call.request_body),
        response_body=pretty(call.response_body),
    )


def pretty(text: str | None) -> str | None:
    if not text:
        return text
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    except ValueError:
        return text


# --- the panel on the shop's order page ---------------------------------------------------------


def order_panel_data(shop_order) -> dict | None:
    """What the order page's InPost Pay panel shows (None for other channels); `shop_order` is
    whatever the shop's order page holds, read through the seam by its `id`."""
    order: OrderView | None = current_shop().order(shop_order.id)
    if order is None or order.channel != order_sync.CHANNEL:
        return None
    messages = db.session.scalars(
        select(outbox.OutboxMessage)
        .where(outbox.OutboxMessage.ordering_key == f"order:{order.id}")
        .order_by(outbox.OutboxMessage.id.desc())
    ).all()
    return {
        "messages": messages,
        "blocked": outbox.blocked_ids(messages),
        "label": order_sync.label_for(order),
        "final": order_sync.inpost_final_status(order),
        "inpost_status": (order.external or {}).get("order_status"),
    }


def register(app: Flask) -> None:
    app.extensions["inpost_pay_calls"] = CallRecorder()
    calllog.add_sink(record_call)
    app.register_blueprint(bp)
    shop = app.extensions["inpost_pay"].shop
    shop.add_admin_page(app, "inpost_console.outbox_page", "InPost Pay")
    shop.add_order_panel(app, "inpost_console/_order_panel.html")
    app.add_template_global(order_panel_data, "inpost_order_panel")
    app.add_template_global(OUTBOX_STATUS_NAMES, "outbox_status_names")
    app.add_template_global(KIND_NAMES, "outbox_kind_names")
