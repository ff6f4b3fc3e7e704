"""The merchant's InPost Pay integration, server side (DESIGN.md §1).

`init_app(app)` is all a Flask shop calls: it builds the API client and the
signing-key cache, mounts the merchant API (`/v1/izi/...`, signed, CSRF-exempt)
and subscribes to the shop's signals (`sync.py`). An integrator lifting this
package into another shop replaces only the signal hooks and the mapping's
model readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from .client import InPostClient
from .signing_keys import SigningKeyCache


@dataclass
class InPostPay:
    """What the integration keeps per app: `app.extensions["inpost_pay"]`."""

    client: InPostClient
    signing_keys: SigningKeyCache


def init_app(app: Flask) -> InPostPay:
    from storefront.extensions import csrf

    from . import merchant_api, models, sync  # noqa: F401  (models: tables join the shop's metadata)

    client = InPostClient.from_config(app.config)
    state = InPostPay(client=client, signing_keys=SigningKeyCache(client.get_signing_keys, client.get_signing_key))
    app.extensions["inpost_pay"] = state
    csrf.exempt(merchant_api.bp)  # InPost signs its calls instead (DESIGN.md §4 "Security")
    app.register_blueprint(merchant_api.bp)
    sync.register(app)
    return state
