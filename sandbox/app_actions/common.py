"""What every screen's actions share: the merchant client, input errors, and the contract
checks of the merchant's answers."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from sandbox.contract import check_basket, check_order
from sandbox.errors import ApiError
from sandbox.merchant_client import MerchantClient, MerchantReply

BASKET_CHANGED_MESSAGE = "Koszyk się zmienił, odśwież koszyk (basket changed, refresh)"

MAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def merchant() -> MerchantClient:
    return current_app.extensions["sandbox_merchant"]


def invalid(message: str) -> ApiError:
    return ApiError(400, "INVALID_INPUT", message)


def merchant_json() -> dict:
    """Who sold the basket, as the app's lists show it ("all active baskets, from any merchant").

    InPost knows each merchant's name from onboarding; the sandbox serves one merchant,
    named by SANDBOX_MERCHANT_NAME, else by the host of SANDBOX_MERCHANT_URL.
    """
    url = current_app.config["SANDBOX_MERCHANT_URL"]
    name = current_app.config.get("SANDBOX_MERCHANT_NAME") or urlsplit(url).netloc or url
    return {"name": name, "url": url}


def basket_check(body: Any) -> tuple[list, list]:
    warnings: list = []
    return check_basket(body, warnings=warnings), warnings


def order_check(body: Any) -> tuple[list, list]:
    warnings: list = []
    return check_order(body, warnings=warnings), warnings


def reply_problem(reply: MerchantReply, what: str, expected: tuple[int, ...] = (200,)) -> ApiError | None:
    """Why a merchant answer cannot be used, or None when it can."""
    if not reply.answered:
        return ApiError(502, "MERCHANT_UNAVAILABLE", f"{what}: {reply.error_message()}")
    if reply.status not in expected:
        return ApiError(502, "MERCHANT_ERROR", f"{what}: the shop refused (HTTP {reply.status}): {reply.error_message()}",
                        merchant_status=reply.status)  # fmt: skip
    if reply.violations:
        return ApiError(502, "MERCHANT_BASKET_INVALID" if what != "order" else "MERCHANT_ORDER_INVALID",
                        f"{what}: the shop's answer breaks InPost's contract "
                        f"({len(reply.violations)} problem(s), first: {reply.violations[0]['field']}: "
                        f"{reply.violations[0]['problem']})",
                        violations=reply.violations)  # fmt: skip
    return None
