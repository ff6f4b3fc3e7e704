"""A deliberately different small Flask shop that mounts the same InPost Pay integration.

Its own models, basket rules and English pages (shop.py, templates/), whole-piece quantities
only, and its own side of the seam (adapter.py). `make run-minimal` starts it beside the
sandbox; docs/integrating.md walks through how it was built.
"""
