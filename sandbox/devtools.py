"""Developer tools of the sandbox (loopback only): the conversation log and the fault switches.

`GET /sandbox/log?basket_id=&order_id=&limit=` shows the calls in both directions;
`GET|POST|DELETE /sandbox/faults` reads, sets and clears the fault switches
(see faults.py). Only callers on 127.0.0.0/8 or ::1 may use them.
"""

from __future__ import annotations

import ipaddress

from flask import Blueprint, current_app, jsonify, request, send_from_directory

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


def loopback_only() -> None:
    if not is_loopback(request.remote_addr):
        raise ApiError(403, "FORBIDDEN", "the sandbox's developer tools answer only on loopback")


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


def _bounded(body: dict, name: str, low: int, high: int) -> int | None:
    value = field(body, name, int, required=False)
    if value is not None and not low <= value <= high:
        raise ApiError(400, "MALFORMED_REQUEST", f"{name}: must be between {low} and {high}")
    return value


@bp.get("/inpostizi.js")
def widget_script():
    """InPost's Widget 1.0 script (reference §2: izi.inpost.pl/inpostizi.js), served cross-origin."""
    response = send_from_directory(current_app.static_folder, "inpostizi.js", mimetype="text/javascript", max_age=0)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
