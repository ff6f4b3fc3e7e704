"""The merchant API (the calls InPost makes to the shop) as an OpenAPI 3.1 document, generated
from the request models of `inpost_pay.schemas`, so that the document cannot drift from what
the shop accepts.

    python -m inpost_pay.openapi           # writes docs/openapi/merchant-api.json
    python -m inpost_pay.openapi --check   # exit 1 when the checked-in file is stale

A test regenerates the document and compares it with the checked-in file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic.json_schema import models_json_schema

from . import schemas
from .signature import KEY_HASH, KEY_VERSION, SIGNATURE, TIMESTAMP

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "openapi" / "merchant-api.json"
REF = "#/components/schemas/{model}"

#: InPost's four signature headers, required on every call (docs/inpost-pay-api.md §6).
HEADERS = {
    SIGNATURE: "RSASSA-PKCS1-v1_5 / SHA-256 signature (base64) of the signed string built from the "
    "body's digest, the merchant's external id, the key version and the timestamp.",
    TIMESTAMP: "When InPost signed the call (ISO-8601, UTC); calls outside a 240 s window are refused.",
    KEY_VERSION: "The version of InPost's signing key that made the signature.",
    KEY_HASH: "sha256 (hex) of that public key as InPost publishes it (its base64 text).",
}

#: (status, error codes, when) of the `{error_code, error_message}` answers.
ERRORS = {
    "400": (("MALFORMED_REQUEST",), "The body does not fit: `error_message` names the dotted field."),
    "401": (("INVALID_SIGNATURE",), "Signature missing, wrong, stale, of an unknown key, or already used."),
    "404": (("BASKET_NOT_FOUND", "ORDER_NOT_FOUND"), "No such basket or order of InPost Pay's."),
    "409": (
        ("ORDER_EXISTS", "ORDER_NOT_CREATE", "CONFLICT"),
        "The basket is already ordered, the order cannot be placed, or a concurrent change: retry.",
    ),
    "413": (("PAYLOAD_TOO_LARGE",), "The body is over the size limit."),
}

BASKET_ID = {"name": "basket_id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 64}}
ORDER_ID = {"name": "order_id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 64}}

#: method, path, summary, path parameter, success status, errors beyond 400/401/413.
OPERATIONS = (
    ("get", "/v1/izi/basket/{basket_id}", "The basket as InPost last received it (or as it is now)", BASKET_ID, "200", ("404",)),
    ("post", "/v1/izi/basket/{basket_id}/confirmation", "Binding confirmed or rejected in the app; answers the basket", BASKET_ID, "200", ("404", "409")),  # noqa: E501
    ("post", "/v1/izi/basket/{basket_id}/event", "A change made in the app; answers the whole basket", BASKET_ID, "200", ("404", "409")),  # noqa: E501
    ("delete", "/v1/izi/basket/{basket_id}/binding", "The shopper unlinked the basket in the app", BASKET_ID, "200", ()),
    ("post", "/v1/izi/order", "InPost places the order; a retry answers the same order", None, "201", ("404", "409")),
    ("get", "/v1/izi/order/{order_id}", "The order as the shop holds it", ORDER_ID, "200", ("404",)),
    ("post", "/v1/izi/order/{order_id}/event", "Payment or order status from InPost", ORDER_ID, "200", ("404", "409")),
)  # fmt: skip


def _error_response(status: str) -> dict:
    codes, when = ERRORS[status]
    return {
        "description": f"{when} `error_code`: {', '.join(codes)}.",
        "content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorBody")}}},
    }


def build() -> dict:
    """The document, as a dict."""
    models = list(schemas.REQUEST_MODELS.values())
    refs, definitions = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    components = dict(sorted(definitions.get("$defs", {}).items()))
    components["ErrorBody"] = {
        "type": "object",
        "properties": {"error_code": {"type": "string"}, "error_message": {"type": "string"}},
        "required": ["error_code", "error_message"],
    }
    parameters = {
        name: {"name": name, "in": "header", "required": True, "description": text, "schema": {"type": "string"}}
        for name, text in HEADERS.items()
    }
    paths: dict[str, dict] = {}
    for method, path, summary, path_param, success, errors in OPERATIONS:
        operation = {
            "summary": summary,
            "parameters": [{"$ref": f"#/components/parameters/{name}"} for name in HEADERS] + ([path_param] if path_param else []),
            "responses": {success: {"description": "Done.", "content": {"application/json": {"schema": {"type": "object"}}}}},
        }  # fmt: skip
        model = schemas.REQUEST_MODELS.get((method, path))
        if model is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": refs[(model, "validation")]}},
            }
        for status in sorted(("400", "401", "413", *errors)):
            operation["responses"][status] = _error_response(status)
        paths.setdefault(path, {})[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "InPost Pay merchant API of this shop",
            "version": "1",
            "description": "The calls InPost Pay makes to the shop, generated from inpost_pay/schemas.py "
            "by `python -m inpost_pay.openapi`. Numbers are read as decimals (a JSON float is never "
            "rounded); unknown fields are ignored. See docs/inpost-pay-api.md.",
        },
        "paths": paths,
        "components": {"schemas": components, "parameters": parameters},
    }


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m inpost_pay.openapi", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the file is not current, write nothing")
    parser.add_argument("--output", type=Path, default=DOCUMENT)
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.exists() and args.output.read_text(encoding="utf-8") == text
        print(f"{args.output}: {'current' if current else 'stale; run python -m inpost_pay.openapi'}")
        return 0 if current else 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
