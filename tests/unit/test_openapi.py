"""The merchant API's OpenAPI document (docs/openapi/merchant-api.json): current with the models,
covering every route of the merchant API, a valid document whose request schemas accept
InPost's example bodies and carry the column limits the models enforce."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from jsonschema import Draft202012Validator

from inpost_pay import merchant_api, openapi, schemas

FIXTURES = Path(__file__).parent / "fixtures"
DOCUMENT = json.loads(openapi.DOCUMENT.read_text(encoding="utf-8"))


def test_checked_in_document_is_current():
    """Fails when the models changed and the document was not regenerated."""
    assert openapi.DOCUMENT.read_text(encoding="utf-8") == openapi.render(), "run: python -m inpost_pay.openapi"
    assert openapi.main(["--check"]) == 0


def test_check_reports_a_stale_file(tmp_path):
    stale = tmp_path / "merchant-api.json"
    stale.write_text("{}\n", encoding="utf-8")
    assert openapi.main(["--check", "--output", str(stale)]) == 1
    assert openapi.main(["--output", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == openapi.render()


def test_every_route_of_the_merchant_api_is_documented():
    app = Flask(__name__)
    app.register_blueprint(merchant_api.bp)
    routes = {
        (method.lower(), re.sub(r"<(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/v1/izi")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(method, path) for path, item in DOCUMENT["paths"].items() for method in item}
    assert documented == routes and len(routes) == 7


def test_operations_name_the_signature_headers_and_the_error_body():
    for item in DOCUMENT["paths"].values():
        for operation in item.values():
            refs = {p.get("$ref") for p in operation["parameters"]}
            assert {f"#/components/parameters/{h}" for h in openapi.HEADERS} <= refs
            for status in ("400", "401", "413"):
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}
    assert DOCUMENT["components"]["schemas"]["ErrorBody"]["required"] == ["error_code", "error_message"]


def request_schema(method: str, path: str) -> dict:
    """The request body's schema, standalone (its $refs resolvable)."""
    schema = DOCUMENT["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return {**schema, "components": DOCUMENT["components"]}


def test_document_is_valid_json_schema():
    for key in schemas.REQUEST_MODELS:
        Draft202012Validator.check_schema(request_schema(*key))


@pytest.mark.parametrize(
    ("key", "fixture"),
    [
        (("post", "/v1/izi/basket/{basket_id}/confirmation"), "seed_003_confirmation_request.json"),
        (("post", "/v1/izi/basket/{basket_id}/event"), "basket_event_object_form.json"),
        (("post", "/v1/izi/basket/{basket_id}/event"), "basket_event_list_form.json"),
        (("post", "/v1/izi/order"), "order_create_request.json"),
        (("post", "/v1/izi/order/{order_id}/event"), "seed_004_order_event_request.json"),
    ],
)
def test_example_bodies_fit_the_document_and_the_model(key, fixture):
    body = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    Draft202012Validator(request_schema(*key)).validate(body)
    schemas.REQUEST_MODELS[key].model_validate(schemas.load_json(json.dumps(body).encode()))


def _max_lengths(schema: dict, path: list[str], root: dict) -> set[int]:
    """maxLength of the string at `path` (object keys) in `schema`, through $ref/anyOf/items."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return _max_lengths(root["components"]["schemas"][name], path, root)
    found: set[int] = set()
    for branch in schema.get("anyOf", []):
        found |= _max_lengths(branch, path, root)
    if "items" in schema:
        found |= _max_lengths(schema["items"], path, root)
    if not path:
        return found | ({schema["maxLength"]} if "maxLength" in schema else set())
    if path[0] in schema.get("properties", {}):
        found |= _max_lengths(schema["properties"][path[0]], path[1:], root)
    return found


@pytest.mark.parametrize(("path", "limit"), sorted(schemas.COLUMN_LENGTHS.items()))
def test_column_lengths_are_what_the_document_says(path, limit):
    found = set()
    for key in schemas.REQUEST_MODELS:
        found |= _max_lengths(request_schema(*key), path.split("."), request_schema(*key))
    assert found == {limit}, (path, found)
