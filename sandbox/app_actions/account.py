"""The sign-in (account) screen: a phone number, and a demo name, make the app's user."""

from __future__ import annotations

import random

from sandbox import baskets
from sandbox.app_actions.common import MAIL, invalid
from sandbox.extensions import db
from sandbox.log import mask_phone
from sandbox.models import (
    AppUser,
)
from sandbox.validate import PHONE, PREFIX

# Demo names: a first name and the surname's form for the same gender ("Piotr Kamiński",
# "Anna Kamińska"; Nowak and Wójcik are the same for both).
FIRST_NAMES = {"f": ["Anna", "Katarzyna", "Magdalena", "Agnieszka"], "m": ["Piotr", "Tomasz", "Paweł", "Michał"]}

SURNAMES = [("Nowak", "Nowak"), ("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"), ("Wójcik", "Wójcik"),
            ("Kamiński", "Kamińska"), ("Lewandowski", "Lewandowska"), ("Zieliński", "Zielińska")]  # fmt: skip


def demo_name(pick: random.Random) -> tuple[str, str]:
    gender = pick.choice("fm")
    male, female = pick.choice(SURNAMES)
    return pick.choice(FIRST_NAMES[gender]), female if gender == "f" else male


def sign_in(country_prefix: str, phone: str, name: str | None = None, surname: str | None = None,
            mail: str | None = None) -> AppUser:  # fmt: skip
    """Sign in with a phone number; the first sign-in creates the user (name generated if not given)."""
    if not isinstance(country_prefix, str) or not PREFIX.match(country_prefix):
        raise invalid("country_prefix: must look like +48")
    if not isinstance(phone, str) or not PHONE.match(phone):
        raise invalid("phone: must be 6-15 digits")
    for label, value in (("name", name), ("surname", surname), ("mail", mail)):
        if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > 100):
            raise invalid(f"{label}: must be a non-empty string of at most 100 characters")
    if mail is not None and not MAIL.match(mail):
        raise invalid("mail: must be an e-mail address")
    user = baskets.app_user(country_prefix, phone)
    if user is None:
        pick = random.Random(country_prefix + phone)  # the same phone always gets the same demo name
        demo_first, demo_surname = demo_name(pick)
        user = AppUser(
            country_prefix=country_prefix,
            phone=phone,
            name=name or demo_first,
            surname=surname or demo_surname,
            mail=mail or f"{phone}@example.com",
            address=f"ul. Testowa {pick.randint(1, 99)}",
            city="Kraków",
            postal_code="30-001",
            country_code="PL",
        )
        db.session.add(user)
    else:
        user.name, user.surname, user.mail = name or user.name, surname or user.surname, mail or user.mail
    db.session.commit()
    return user


def user_json(user: AppUser) -> dict:
    return {
        "phone_number": {"country_prefix": user.country_prefix, "phone": user.phone},
        "masked_phone_number": mask_phone(user.phone),
        "name": user.name,
        "surname": user.surname,
        "mail": user.mail,
        "address": {
            "address": user.address,
            "city": user.city,
            "postal_code": user.postal_code,
            "country_code": user.country_code,
        },  # fmt: skip
    }
