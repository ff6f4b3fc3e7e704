"""Catalogue pages: home, category, product."""

from flask import Blueprint, render_template
from sqlalchemy import select

from ..extensions import db
from ..models import Category

bp = Blueprint("shop", __name__)


@bp.get("/")
def home():
    categories = db.session.scalars(select(Category).order_by(Category.position)).all()
    return render_template("shop/home.html", categories=categories)
