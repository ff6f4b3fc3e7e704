"""The shop's template filters."""

import pytest

from storefront.templating import fmt_hours, plural


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 produktów"), (1, "1 produkt"), (2, "2 produkty"), (4, "4 produkty"), (5, "5 produktów"),
     (12, "12 produktów"), (22, "22 produkty"), (25, "25 produktów"), (104, "104 produkty")],
)  # fmt: skip
def test_plural_follows_polish_rules(count, expected):
    assert plural(count, "produkt", "produkty", "produktów") == expected


def test_hours_after_po():
    assert (fmt_hours(24.0), fmt_hours(1), fmt_hours(0.5)) == ("24 godzinach", "1 godzinie", "0,5 godziny")
