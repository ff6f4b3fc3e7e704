"""The shop a merchant already has: catalogue, basket, website checkout, orders, back office.

It knows nothing about InPost Pay. Integrations hook in through `signals` and
may read the models; this package never imports them (docs/architecture.md#four-parties).
"""
