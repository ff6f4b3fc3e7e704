"""Requests InPost sends the merchant, shared by the merchant-API test suites."""

from __future__ import annotations


def order_body(basket_id: str, gross, *, payment: str = "BLIK_CODE", delivery_type: str = "APM", codes=()) -> dict:
    """A `POST /v1/izi/order` body as InPost sends it (docs/inpost-pay-api.md §3.5; amounts as JSON numbers)."""
    return {
        "order_details": {
            "basket_id": basket_id,
            "currency": "PLN",
            "basket_price": {"net": float(gross), "gross": float(gross), "vat": 0},
            "payment_type": payment,
        },
        "account_info": {
            "name": "Piotr",
            "surname": "Nowak",
            "phone_number": {"country_prefix": "+48", "phone": "600000000"},
            "mail": "piotr@example.com",
            "client_address": {"country_code": "PL", "address": "Lipowa 5", "city": "Kraków", "postal_code": "30-001"},
        },
        "delivery": {
            "delivery_type": delivery_type,
            "delivery_codes": list(codes),
            "mail": "piotr@example.com",
            "phone_number": {"country_prefix": "+48", "phone": "600000000"},
            "delivery_point": "KRA010",
        },
        "consents": [
            {"consent_id": "1", "consent_version": "3", "is_accepted": True},
            {"consent_id": "2", "consent_version": "2", "is_accepted": True},
        ],
    }
