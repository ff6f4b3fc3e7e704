"""The shortcuts of the event path give what the long way gives: the call log's masking check
and the sent copy's comparison without its notice."""

from __future__ import annotations

import json

import pytest

from inpost_pay import calllog
from inpost_pay.baskets import _without_notice
from inpost_pay.client import encode_json


def _masked_the_long_way(text: str) -> str:
    return json.dumps(calllog.mask_secrets(json.loads(text)), ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize(
    "body",
    [
        {"summary": {"payment_type": ["CARD", "CARD_TOKEN", "BLIK_TOKEN"]}, "name": "Kawa"},
        {"products": [{"product_name": "Herbata", "product_description": "telefon: 600 123 400"}]},
        {"consents": [{"consent_description": "Zgoda na phone-owe kontakty"}]},
    ],
)
def test_text_without_key_names_is_left_as_masking_would_leave_it(body):
    text = encode_json(body).decode()
    assert not calllog.may_need_masking(text)
    assert _masked_the_long_way(text) == text


@pytest.mark.parametrize(
    "text",
    [
        '{"phone_number":{"country_prefix":"+48","phone":"600123400"}}',
        '{"Phone-Number":"600123400"}',
        '{"x-signature":"abc"}',
        '{"client_secret" : "abc"}',
        '{"\\u0070hone":"600123400"}',  # an escape hides the key name from a text search
        '{"note":"Bearer abc.def"}',
        '{"url":"https://x/?access_token=abc"}',
    ],
)
def test_text_that_masking_could_change_goes_the_long_way(text):
    assert calllog.may_need_masking(text)


def test_the_notice_is_cut_out_exactly():
    tricky = 'Nie ma "basket_notice": tyle \\ sztuk } ]'
    with_notice = encode_json(
        {"summary": {"a": 1, "basket_notice": {"type": "ERROR", "description": tricky}, "b": [2]},
         "products": [{"product_description": '"basket_notice":{"x":1}'}]}
    ).decode()
    without = encode_json(
        {"summary": {"a": 1, "basket_notice": None, "b": [2]},
         "products": [{"product_description": '"basket_notice":{"x":1}'}]}
    ).decode()
    assert _without_notice(with_notice) == without
    assert _without_notice(without) == without


def test_a_copy_without_a_notice_key_never_matches():
    assert _without_notice('{"summary":{}}') is None
