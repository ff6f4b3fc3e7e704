"""(being written)"""

from flask import Blueprint

bp = Blueprint("checkout", __name__)
