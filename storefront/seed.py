"""Demo data: a small Polish deli and homeware shop, "Spiżarnia pod Lipą".

Loaded on first start (`ensure_database`) and by `flask --app app seed`. It covers
what InPost Pay's basket can express (Basket Update/003 product table): three VAT
rates, pieces and weights/lengths (INTEGER and DECIMAL), promotions with the
Omnibus lowest price, low stock, related products, digital goods, promo codes
of every kind, and consents of every requirement type.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

from flask import current_app
from sqlalchemy import func, select

from . import signals
from .extensions import db
from .models import Category, Consent, Product, PromoCode

CATEGORIES = [
    ("kawa-i-herbata", "Kawa i herbata", "Kawy speciality palone w Polsce i herbaty z małych plantacji."),
    ("spizarnia", "Spiżarnia", "Miody, orzechy, czekolady i przetwory od sprawdzonych dostawców."),
    ("dom-i-kuchnia", "Dom i kuchnia", "Ceramika, len i drewno do codziennego użytku."),
    ("ksiazki-i-kursy", "Książki i kursy", "Książki kucharskie, e-booki i kursy online."),
]

# id, slug, category, name, vat, price, promo, lowest, qtype, unit, step, stock, max, digital, related, attributes
PRODUCTS = [
    (1, "kawa-etiopia-yirgacheffe", "kawa-i-herbata", "Kawa ziarnista Etiopia Yirgacheffe 250 g", 23,
     "54.90", "46.90", "49.90", "INTEGER", "szt.", "1", "40", "10", False, [2, 3, 9],
     [("Pochodzenie", "Etiopia, region Yirgacheffe"), ("Stopień palenia", "jasny"), ("Waga", "250 g")],
     "Kawa o nutach jaśminu, bergamotki i brzoskwini, palona w małych partiach w Krakowie. "
     "Najlepsza z dripa i chemexu."),
    (2, "kawa-brazylia-santos-na-wage", "kawa-i-herbata", "Kawa Brazylia Santos na wagę", 23,
     "89.00", None, None, "DECIMAL", "kg", "0.1", "25", "5", False, [1, 9, 7],
     [("Pochodzenie", "Brazylia, Santos"), ("Stopień palenia", "średni"), ("Sprzedaż", "na wagę, co 100 g")],
     "Czekoladowa, orzechowa kawa na co dzień, do ekspresu i kawiarki. Cena za kilogram; "
     "odważamy od 100 g."),
    (3, "herbata-zielona-sencha", "kawa-i-herbata", "Herbata zielona Sencha 100 g", 23,
     "27.90", None, None, "INTEGER", "szt.", "1", "60", "10", False, [4, 5],
     [("Pochodzenie", "Japonia, Shizuoka"), ("Waga", "100 g")],
     "Świeża, trawiasta sencha z pierwszego zbioru. Parz w 70–80 °C przez 2 minuty."),
    (4, "herbatka-ziolowa-melisa", "kawa-i-herbata", "Herbatka ziołowa z melisą, 20 saszetek", 8,
     "12.90", "9.90", "11.90", "INTEGER", "szt.", "1", "80", "20", False, [3, 5],
     [("Skład", "melisa, mięta, rumianek"), ("Opakowanie", "20 × 1,5 g")],
     "Łagodna mieszanka ziół na wieczór, z polskich upraw ekologicznych."),
    (5, "miod-wielokwiatowy-z-podlasia", "spizarnia", "Miód wielokwiatowy z Podlasia 400 g", 5,
     "32.00", None, None, "INTEGER", "szt.", "1", "30", "6", False, [4, 6, 8],
     [("Pasieka", "Pasieka Dębowa, Podlasie"), ("Waga", "400 g")],
     "Jasny, kremowany miód z łąk nad Biebrzą, prosto od pszczelarza."),
    (6, "orzechy-wloskie-na-wage", "spizarnia", "Orzechy włoskie łuskane na wagę", 5,
     "64.90", None, None, "DECIMAL", "kg", "0.05", "12", "3", False, [5, 7],
     [("Pochodzenie", "Polska, zbiór 2026"), ("Sprzedaż", "na wagę, co 50 g")],
     "Jasne połówki orzechów z tegorocznego zbioru. Cena za kilogram; odważamy od 50 g."),
    (7, "czekolada-gorzka-70", "spizarnia", "Czekolada gorzka 70% z Ekwadoru 100 g", 5,
     "14.50", "11.90", "12.90", "INTEGER", "szt.", "1", "120", "20", False, [1, 6],
     [("Kakao", "70%, Ekwador"), ("Waga", "100 g")],
     "Czekolada z ziaren arriba nacional, robiona od ziarna do tabliczki w Warszawie."),
    (8, "konfitura-wisniowa", "spizarnia", "Konfitura wiśniowa 280 g", 5,
     "18.90", None, None, "INTEGER", "szt.", "1", "3", "3", False, [5, 14],
     [("Owoce", "wiśnie nadwiślanki, 70%"), ("Waga", "280 g")],
     "Gęsta konfitura z wiśni z sadów pod Łowiczem. Ostatnie słoiki z tej partii."),
    (9, "kubek-ceramiczny-recznie-malowany", "dom-i-kuchnia", "Kubek ceramiczny ręcznie malowany 350 ml", 23,
     "59.00", None, None, "INTEGER", "szt.", "1", "4", "4", False, [1, 2, 3],
     [("Pojemność", "350 ml"), ("Materiał", "kamionka szkliwiona"), ("Pracownia", "Bolesławiec")],
     "Każdy kubek malowany ręcznie stemplem w Bolesławcu, więc żaden nie jest identyczny. "
     "Można myć w zmywarce."),
    (10, "tkanina-lniana-na-metry", "dom-i-kuchnia", "Tkanina lniana na obrus, na metry", 23,
     "45.00", None, None, "DECIMAL", "m", "0.5", "30", "10", False, [11, 12],
     [("Szerokość", "150 cm"), ("Skład", "100% len, zmiękczany"), ("Sprzedaż", "na metry, co 0,5 m")],
     "Naturalny len w kolorze owsianym, na obrusy i bieżniki. Cena za metr bieżący."),
    (11, "deska-do-krojenia-bukowa", "dom-i-kuchnia", "Deska do krojenia z drewna bukowego", 23,
     "119.00", "89.00", "99.00", "INTEGER", "szt.", "1", "25", "5", False, [10, 12],
     [("Wymiary", "40 × 25 × 2 cm"), ("Drewno", "buk olejowany")],
     "Gruba deska z litego buku, olejowana olejem lnianym. Wytrzyma lata krojenia."),
    (12, "swieca-sojowa-lawenda", "dom-i-kuchnia", "Świeca sojowa Lawenda 180 g", 23,
     "39.90", None, None, "INTEGER", "szt.", "1", "50", "10", False, [10, 9],
     [("Czas palenia", "ok. 40 godzin"), ("Wosk", "sojowy"), ("Zapach", "lawenda")],
     "Świeca w szklanym słoiku z bawełnianym knotem, ręcznie odlewana w Gdyni."),
    (13, "ksiazka-kuchnia-polska-babci-heli", "ksiazki-i-kursy", "Książka „Kuchnia polska. Przepisy babci Heli”", 5,
     "64.99", None, None, "INTEGER", "szt.", "1", "15", "5", False, [14, 5, 8],
     [("Autor", "Helena Lipowa"), ("Stron", "288"), ("Oprawa", "twarda")],
     "Sto dwadzieścia przepisów z domowego zeszytu: pierogi, zupy, ciasta i przetwory."),
    (14, "ebook-domowe-przetwory", "ksiazki-i-kursy", "E-book „Domowe przetwory” (PDF i EPUB)", 5,
     "29.90", None, None, "INTEGER", "szt.", "1", "9999", "1", True, [15, 13, 8],
     [("Format", "PDF, EPUB"), ("Stron", "96"), ("Dostawa", "link e-mailem")],
     "Konfitury, kiszonki i soki krok po kroku. Wysyłamy link do pobrania na e-mail."),
    (15, "kurs-online-parzenie-kawy", "ksiazki-i-kursy", "Kurs online „Parzenie kawy w domu”", 23,
     "149.00", "119.00", "129.00", "INTEGER", "szt.", "1", "9999", "1", True, [14, 1, 2],
     [("Długość", "3 h 20 min, 14 lekcji"), ("Dostęp", "12 miesięcy"), ("Dostawa", "dostęp e-mailem")],
     "Drip, aeropress, kawiarka i ekspres kolbowy: jak parzyć kawę tak dobrą jak w kawiarni."),
]

PROMO_CODES = [
    ("RABAT10", "Rabat 10%", "PERCENT", "10", None, None),
    ("MINUS20", "20 zł taniej od 150 zł", "FIXED", "20.00", "150.00", None),
    ("DOSTAWA0", "Darmowa dostawa", "FREE_DELIVERY", "0", None, None),
    ("LATO2025", "Letnia wyprzedaż 15%", "PERCENT", "15", None, datetime(2025, 8, 31, 22, 0, tzinfo=UTC)),
]

CONSENTS = [
    ("1", "Akceptuję regulamin sklepu Spiżarnia pod Lipą", "/regulamin", "3", "REQUIRED_ALWAYS"),
    ("2", "Zapoznałem(-am) się z polityką prywatności", "/polityka-prywatnosci", "2", "REQUIRED_ONCE"),
    ("3", "Chcę dostawać newsletter z nowościami i kodami rabatowymi", "/newsletter", "1", "OPTIONAL"),
]


def ean13(product_id: int) -> str:
    """A valid EAN-13 under the Polish prefix 590 (check digit per GS1)."""
    body = f"590{4321:04d}{product_id:05d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _money(text: str | None):
    return D(text) if text is not None else None


def seed_catalogue() -> None:
    """Insert the demo rows that are missing (safe to run again)."""
    categories = {}
    for position, (slug, name, description) in enumerate(CATEGORIES):
        category = db.session.scalar(select(Category).where(Category.slug == slug))
        if category is None:
            category = Category(slug=slug, name=name, description=description, position=position)
            db.session.add(category)
        categories[slug] = category
    db.session.flush()

    products = {}
    for row in PRODUCTS:
        (pid, slug, cat, name, vat, price, promo, lowest, qtype, unit, step, stock, max_q, digital, _rel, attrs,
         description) = row
        product = db.session.get(Product, pid)
        if product is None:
            product = Product(
                id=pid, slug=slug, category=categories[cat], ean=ean13(pid), name=name, description=description,
                image=f"{slug}.svg", vat_rate=vat, price_gross=D(price), promo_price_gross=_money(promo),
                lowest_price_gross=_money(lowest), quantity_type=qtype, quantity_unit=unit,
                quantity_step=D(step), stock=D(stock), max_quantity=D(max_q), is_digital=digital,
                attributes=[list(a) for a in attrs],
            )
            db.session.add(product)
        products[pid] = product
    db.session.flush()
    for row in PRODUCTS:
        product, related_ids = products[row[0]], row[14]
        if not product.related:
            product.related = [products[r] for r in related_ids]

    for code, name, kind, value, minimum, until in PROMO_CODES:
        if db.session.get(PromoCode, code) is None:
            db.session.add(PromoCode(code=code, name=name, kind=kind, value=D(value),
                                     min_basket_gross=_money(minimum), valid_until=until))
    for position, (cid, description, link, version, requirement) in enumerate(CONSENTS):
        if db.session.get(Consent, cid) is None:
            db.session.add(Consent(id=cid, description=description, link=link, version=version,
                                   requirement_type=requirement, position=position))
    db.session.commit()


def create_schema() -> None:
    """Create the missing tables: the shop's, then (through `signals.database_created`) those of
    the integrations that listen."""
    db.create_all()
    signals.database_created.send(current_app._get_current_object())


def ensure_database() -> None:
    """Create the schema if missing and load the demo data into an empty shop (the tests' fast
    path; the running shop's schema comes from migrations, see `schema.py`)."""
    create_schema()
    seed_if_empty()


def seed_if_empty() -> None:
    """Load the demo data when the catalogue is empty."""
    if not db.session.scalar(select(func.count()).select_from(Product)):
        seed_catalogue()
