"""The shop's blueprints, one module per area of the site."""

from flask import Flask


def register(app: Flask) -> None:
    from . import account, admin, basket, checkout, pages, shop

    for module in (shop, basket, checkout, account, admin, pages):
        app.register_blueprint(module.bp)
