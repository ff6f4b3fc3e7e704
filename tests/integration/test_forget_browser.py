"""A shopper can forget a trusted browser (issue: order lifecycle, "Unbinding both ways"):
InPost is told through the outbox, the cookie goes, and no basket counts the browser as trusted."""

from inpost_pay.models import InPostBasket
from inpost_pay.outbox import OutboxMessage
from storefront import basket as basket_service
from storefront.extensions import db

BROWSER_ID = "fbfac472-3bcc-4c2c-bd41-968032233e03"


def trusted_basket(app) -> str:
    with app.app_context():
        basket = basket_service.new_basket()
        db.session.add(InPostBasket(basket_id=basket.id, binding_status="bound", browser_id=BROWSER_ID,
                                    browser_trusted=True))
        db.session.commit()
        return basket.id


def test_forgetting_this_browser_tells_inpost_through_the_outbox(app, client):
    basket_id = trusted_basket(app)
    client.set_cookie("izi_browser", BROWSER_ID)
    assert "Zapomnij tę przeglądarkę" in client.get("/").get_data(as_text=True)

    response = client.delete("/izi/trusted-browser")
    assert response.status_code == 204
    assert "izi_browser=;" in response.headers["Set-Cookie"]
    with app.app_context():
        [message] = db.session.query(OutboxMessage).all()
        assert (message.kind, message.body["browser_id"], message.status) == ("forget_browser", BROWSER_ID, "pending")
        assert db.session.get(InPostBasket, basket_id).browser_trusted is False
    assert client.get_cookie("izi_browser") is None


def test_an_untrusted_browser_or_a_missing_token_changes_nothing(app, client):
    assert client.delete("/izi/trusted-browser").json["error_code"] == "BROWSER_NOT_TRUSTED"
    client.set_cookie("izi_browser", BROWSER_ID)
    refused = client.delete("/izi/trusted-browser", csrf=False)
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.query(OutboxMessage).count() == 0
    assert client.get_cookie("izi_browser") is not None
