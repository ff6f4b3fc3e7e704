"""A local stand-in for InPost Pay (docs/architecture.md#four-parties, "InPost itself, emulated").

The sandbox is InPost, not the merchant: it serves InPost's Basket App API
(`/v1/izi/...`), the OAuth2 token endpoint, the signing keys, the widget script
and an "InPost Mobile" phone-app simulator, and it calls the shop's merchant API
with signed requests. It never imports the shop (`storefront`, `inpost_pay`,
`widget`, `app`, `config`) and talks to it only over HTTP, so it doubles as a
contract test of the shop. See `sandbox/README.md`.
"""
