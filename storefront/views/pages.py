"""Information pages: terms, privacy policy, newsletter.

Their paths are the `link`s of the consents in storefront/seed.py, which the
checkout shows and InPost Pay receives (Confirming the binding of a basket, consents), so they must exist
and stay where they are.
"""

from flask import Blueprint, render_template

bp = Blueprint("pages", __name__)


@bp.get("/regulamin")
def terms():
    return render_template("pages/terms.html")


@bp.get("/polityka-prywatnosci")
def privacy():
    return render_template("pages/privacy.html")


@bp.get("/newsletter")
def newsletter():
    return render_template("pages/newsletter.html")
