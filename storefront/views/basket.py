"""(being written)"""

from flask import Blueprint

bp = Blueprint("basket", __name__)
