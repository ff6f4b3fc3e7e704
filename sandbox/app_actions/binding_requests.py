"""The binding requests screen: the shopper accepts or rejects a basket a browser asked to bind."""

from __future__ import annotations

import json
import uuid

from sandbox import baskets
from sandbox.app_actions.basket import basket_detail, basket_summary
from sandbox.app_actions.common import basket_check, invalid, merchant, merchant_json, reply_problem
from sandbox.errors import ApiError
from sandbox.extensions import db
from sandbox.log import mask_phone
from sandbox.models import (
    AppUser,
    Basket,
    BindingRequest,
    Browser,
    iso,
    utcnow,
)


def list_requests(user: AppUser) -> list[dict]:
    """Live PHONE requests for this user's number (deep-link requests are opened by link)."""
    rows = db.session.scalars(
        db.select(BindingRequest)
        .where(
            BindingRequest.country_prefix == user.country_prefix,
            BindingRequest.phone == user.phone,
            BindingRequest.status == "PENDING",
        )  # fmt: skip
        .order_by(BindingRequest.created_at.desc())
    )
    return [request_json(r) for r in rows if baskets.request_is_live(r)]


def _request_for(user: AppUser, request_id: str) -> BindingRequest:
    binding = db.session.get(BindingRequest, request_id)
    if binding is None or (
        binding.phone and (binding.country_prefix, binding.phone) != (user.country_prefix, user.phone)
    ):
        raise ApiError(404, "REQUEST_NOT_FOUND", "no such binding request for this phone")
    return binding


def get_request(user: AppUser, request_id: str) -> dict:
    return request_json(_request_for(user, request_id))


def latest_request_for_basket(inpost_basket_id: str) -> BindingRequest | None:
    """The newest request of a basket, for the deep-link page (/app/izilink)."""
    return db.session.scalar(
        db.select(BindingRequest)
        .where(BindingRequest.inpost_basket_id == inpost_basket_id)
        .order_by(BindingRequest.created_at.desc())
        .limit(1)
    )


def request_json(binding: BindingRequest) -> dict:
    status = binding.status
    if status == "PENDING" and not baskets.request_is_live(binding):
        status = "EXPIRED"
    return {
        "id": binding.id,
        "inpost_basket_id": binding.inpost_basket_id,
        "basket_id": binding.basket.basket_id,
        "binding_method": binding.binding_method,
        "binding_place": binding.binding_place,
        "browser": json.loads(binding.browser_json) if binding.browser_json else None,
        "status": status,
        "error": binding.error,
        "created_at": iso(binding.created_at),
        "merchant": merchant_json(),
        # Known only when the merchant already sent the basket (PUT); a PHONE request alone
        # carries no contents, so the app shows a summary "if known".
        "basket_summary": basket_summary(binding.basket) if binding.basket.basket_json else None,
    }


def accept_request(user: AppUser, request_id: str, trust_browser: bool = False) -> dict:
    """The shopper accepts: InPost asks the merchant to confirm (docs/inpost-pay-api.md §3.2).

    The binding is made only if the merchant answers 200 with a valid basket
    (Confirming the binding of a basket: "If the details of the basket haven't been transferred or the data
    in the response are incorrect, the basket will not be bound").
    """
    if not isinstance(trust_browser, bool):
        raise invalid("trust_browser: must be true or false")
    binding = _live_request(user, request_id)
    basket = binding.basket
    browser_id = str(uuid.uuid4()) if trust_browser else None
    browser = {"browser_trusted": trust_browser}
    if browser_id:
        browser["browser_id"] = browser_id
    payload = {
        "status": "SUCCESS",
        "inpost_basket_id": basket.inpost_basket_id,
        "phone_number": {"country_prefix": user.country_prefix, "phone": user.phone},
        "browser": browser,
        "masked_phone_number": mask_phone(user.phone),
        "name": user.name,
        "surname": user.surname,
    }
    basket_id, inpost_basket_id, fingerprint = basket.basket_id, basket.inpost_basket_id, binding.browser_json
    db.session.commit()  # no transaction across the call

    reply = merchant().confirm_binding(basket_id, payload, check=basket_check)
    problem = reply_problem(reply, "confirmation")
    binding = db.session.get(BindingRequest, request_id)
    if problem:
        binding.error = problem.message
        db.session.commit()
        raise problem

    basket = db.session.get(Basket, inpost_basket_id)
    if basket.linked:
        raise ApiError(409, "BASKET_IS_BINDED", "the basket was linked meanwhile")
    if browser_id:
        db.session.add(Browser(browser_id=browser_id, country_prefix=user.country_prefix, phone=user.phone,
                               fingerprint_json=fingerprint))  # fmt: skip
    baskets.bind(basket, user.country_prefix, user.phone, reply.body, browser_id=browser_id)
    binding.status, binding.decided_at, binding.error = "ACCEPTED", utcnow(), None
    db.session.commit()
    return basket_detail(user, inpost_basket_id)


def reject_request(user: AppUser, request_id: str) -> dict:
    """The shopper declines: the merchant is told (status REJECT); nothing is linked."""
    binding = _live_request(user, request_id)
    basket = binding.basket
    payload = {
        "status": "REJECT",
        "inpost_basket_id": basket.inpost_basket_id,
        "phone_number": {"country_prefix": user.country_prefix, "phone": user.phone},
        "browser": {"browser_trusted": False},
        "masked_phone_number": mask_phone(user.phone),
        "name": user.name,
        "surname": user.surname,
    }
    binding.status, binding.decided_at = "REJECTED", utcnow()
    basket_id = basket.basket_id
    db.session.commit()
    reply = merchant().confirm_binding(basket_id, payload, check=None)
    answer = request_json(db.session.get(BindingRequest, request_id))
    answer["merchant_status"] = reply.status
    return answer


def _live_request(user: AppUser, request_id: str) -> BindingRequest:
    binding = _request_for(user, request_id)
    if not baskets.request_is_live(binding):
        raise ApiError(409, "REQUEST_NOT_PENDING", f"this request is {request_json(binding)['status']}")
    if binding.basket.linked:
        raise ApiError(409, "BASKET_IS_BINDED", "the basket is already linked")
    return binding
