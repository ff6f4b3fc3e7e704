"""Developer tools of the sandbox (loopback only): the conversation log and the fault switches.

`GET /sandbox/` is the page a developer watches (templates/devtools/log.html: the
newest calls, bodies, a basket filter, the fault switch panel; static/devtools/log.js
keeps it fresh from the JSON endpoints below).
`GET /sandbox/log?basket_id=&order_id=&limit=` shows the calls in both directions;
`GET|POST|DELETE /sandbox/faults` reads, sets and clears the fault switches
(see faults.py). Only callers on 127.0.0.0/8 or ::1 may use them.
"""

from __future__ import annotations

import ipaddress
import json
import re
from datetime import datetime

from flask import Blueprint, current_app, jsonify, render_template, request

from sandbox import log
from sandbox.errors import ApiError
from sandbox.faults import MAX_COUNT, MAX_DELAY_MS, MAX_SECONDS, MODES
from sandbox.validate import field, int_arg, json_body

bp = Blueprint("sandbox_devtools", __name__)


def is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address((address or "").split("%")[0]).is_loopback
    except ValueError:
        return False


_HOST = re.compile(r"^(?:\[(?P<v6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9.-]+))(?::[0-9]{1,5})?$")


def is_loopback_host(host: str | None) -> bool:
    """Whether a Host header names this machine: localhost, 127.0.0.0/8 or [::1], any port.

    A DNS-rebinding page reaches 127.0.0.1 under its own name (evil.example resolving to
    127.0.0.1): the peer address is loopback, but the Host header gives it away."""
    match = _HOST.match((host or "").strip().lower())
    if match is None:
        return False
    name = match.group("v6") or match.group("name")
    return name in ("localhost", "localhost.") or is_loopback(name)


def loopback_only() -> None:
    """The developer tools read the log and flip fault switches: loopback callers only, and
    only under a loopback name (docs/security.md "Sandbox developer tools")."""
    if not is_loopback(request.remote_addr):
        raise ApiError(403, "FORBIDDEN", "the sandbox's developer tools answer only on loopback")
    if not is_loopback_host(request.host):
        raise ApiError(403, "FORBIDDEN", "the sandbox's developer tools answer only to a loopback Host name")


PAGE_LIMIT = 100  # rows the page shows; the newest first


@bp.get("/sandbox/")
def log_page():
    """The conversation log as a page (issue: "every call in both directions with method,
    path, status, timing, signature and contract-check result, bodies viewable; filterable
    by basket")."""
    loopback_only()
    basket_id = (request.args.get("basket_id") or "").strip()
    if len(basket_id) > 200:  # LogEntry.basket_id's width; longer cannot match anything
        raise ApiError(400, "MALFORMED_REQUEST", "basket_id: at most 200 characters")
    entries = log.entries(basket_id=basket_id or None, limit=PAGE_LIMIT)
    entries.reverse()
    return render_template(
        "devtools/log.html",
        entries=entries,
        basket_id=basket_id,
        limit=PAGE_LIMIT,
        faults=current_app.extensions["sandbox_faults"].describe(),
    )


@bp.app_template_filter("log_time")
def log_time(value: str | None) -> str:
    """ "2030-01-01T10:00:00.123Z" -> "11:00:00.123" in the local zone (the browser on the
    same loopback machine shows the same; log.js formats new rows alike)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone()
    return moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


@bp.app_template_filter("pretty_body")
def pretty_body(value) -> str:
    """A logged body for reading: JSON indented, text as it came."""
    if value is None:
        return "(brak treści)"
    if value == "":
        return "(pusta treść)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2)


@bp.get("/sandbox/log")
def conversation_log():
    loopback_only()
    limit = int_arg("limit", 200, minimum=1, maximum=1000)
    entries = log.entries(basket_id=request.args.get("basket_id") or None,
                          order_id=request.args.get("order_id") or None, limit=limit)  # fmt: skip
    return jsonify({"entries": entries})


@bp.get("/sandbox/faults")
def show_faults():
    loopback_only()
    return jsonify(current_app.extensions["sandbox_faults"].describe())


@bp.post("/sandbox/faults")
def set_faults():
    loopback_only()
    require_json_content_type()
    body = json_body()
    mode = field(body, "mode", str, choices=MODES)
    seconds = _bounded(body, "seconds", 1, MAX_SECONDS)
    count = _bounded(body, "count", 1, MAX_COUNT)
    delay_ms = _bounded(body, "delay_ms", 1, MAX_DELAY_MS)
    if mode == "fail_next" and count is None:
        count = 1
    if mode == "slow" and delay_ms is None:
        raise ApiError(400, "MALFORMED_REQUEST", "delay_ms: is required for mode slow")
    faults = current_app.extensions["sandbox_faults"]
    faults.set(mode, seconds, count, delay_ms)
    return jsonify(faults.describe())


@bp.delete("/sandbox/faults")
def clear_faults():
    loopback_only()
    current_app.extensions["sandbox_faults"].clear()
    return "", 204


def require_json_content_type() -> None:
    """A cross-site HTML form can POST here (text/plain, form-urlencoded, multipart) without
    any CORS preflight; it cannot send application/json. So the switches take JSON only,
    and a page elsewhere cannot flip them through the developer's browser. (DELETE needs no
    such check: a cross-site DELETE always needs a preflight, which the sandbox never grants.)"""
    if not request.is_json:
        raise ApiError(415, "MALFORMED_REQUEST", "Content-Type: must be application/json")


def _bounded(body: dict, name: str, low: int, high: int) -> int | None:
    value = field(body, name, int, required=False)
    if value is not None and not low <= value <= high:
        raise ApiError(400, "MALFORMED_REQUEST", f"{name}: must be between {low} and {high}")
    return value


@bp.get("/inpostizi.js")
def widget_script():
    """InPost's Widget 1.0 script (docs/inpost-pay-api.md §2: izi.inpost.pl/inpostizi.js), served cross-origin."""
    from sandbox.widget_v2 import script_bundle  # widget-ui.js + the 1.0 driver, as one script

    return script_bundle("inpostizi.js")
