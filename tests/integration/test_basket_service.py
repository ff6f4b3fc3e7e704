"""The basket service against a real SQLite database: rules, signals, concurrency."""

import threading
from decimal import Decimal as D

import pytest
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from storefront import basket as service
from storefront.extensions import db
from storefront.models import Basket
from storefront.signals import basket_changed


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def test_changes_bump_the_version_and_announce_the_source(ctx, app):
    seen = []

    def receiver(sender, basket, source):
        seen.append((basket.id, source))

    basket = service.new_basket()
    with basket_changed.connected_to(receiver, app):
        service.add_product(basket, 1, 2)
        service.set_quantity(basket, 1, 3, source="inpost_pay")
    db.session.commit()
    assert seen == [(basket.id, "shop"), (basket.id, "inpost_pay")]
    assert basket.version == 3
    assert basket.line_for(1).quantity == D("3")


def test_a_change_to_a_basket_another_writer_changed_since_it_was_read_is_refused(ctx):
    basket = service.new_basket()
    service.add_product(basket, 1, 2)
    db.session.commit()
    basket = service.get_basket(basket.id)
    assert basket.version == 2
    set_committed_value(basket, "version", 1)  # as read before another request changed it
    with pytest.raises(StaleDataError):
        service.set_quantity(basket, 1, 5)
    db.session.rollback()
    assert service.get_basket(basket.id).line_for(1).quantity == D("2")


def test_clamp_lowers_to_what_can_be_sold_with_a_notice(ctx):
    basket = service.new_basket()
    notice = service.set_quantity(basket, 9, 7, clamp=True)  # the mug: 4 in stock
    assert basket.line_for(9).quantity == D("4")
    assert "4 szt." in notice
    with pytest.raises(service.BasketError) as refused:
        service.set_quantity(basket, 9, 7)
    assert refused.value.code == "OUT_OF_STOCK"


def test_set_codes_makes_the_basket_hold_exactly_the_usable_codes(ctx):
    basket = service.new_basket()
    service.add_product(basket, 11, 2)  # 2 x 89.00
    changes = service.set_codes(basket, ["rabat10", "DOSTAWA0", "NOPE", "MINUS20"], source="inpost_pay")
    assert [c.code for c in basket.codes] == ["RABAT10", "DOSTAWA0"]
    refused = [c.message for c in changes if not c.ok]
    assert len(refused) == 2
    assert "NOPE" in refused[0] and "łączyć" in refused[1]
    service.set_codes(basket, ["DOSTAWA0"], source="inpost_pay")
    assert [c.code for c in basket.codes] == ["DOSTAWA0"]


def test_an_ordered_basket_refuses_changes(ctx):
    basket = service.new_basket()
    service.add_product(basket, 1)
    basket.status = "ordered"
    with pytest.raises(service.BasketError) as refused:
        service.add_product(basket, 1)
    assert refused.value.code == "ORDER_EXISTS"


def test_parallel_additions_lose_no_update(app):
    """20 requests add to one basket at once; SQLite's BEGIN IMMEDIATE serialises them."""
    with app.app_context():
        basket_id = service.new_basket().id
        db.session.commit()
    errors = []

    def add_one():
        try:
            with app.app_context():
                basket = service.lock_basket(basket_id)
                service.add_product(basket, 3, 1)  # tea: max 10 a basket
                db.session.commit()
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=add_one) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.app_context():
        basket = db.session.get(Basket, basket_id)
        assert basket.line_for(3).quantity == D("10")
        assert basket.version == 11
    # Ten fit under the per-order maximum; the other ten are refused cleanly, never lost or crashed.
    assert len(errors) == 10
    assert all(isinstance(e, service.BasketError) and e.code == "MAX_QUANTITY" for e in errors)
