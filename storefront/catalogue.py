"""The catalogue as it was at its last change, kept in each process between requests.

Categories, products, related products and consents change seldom (the back office, the stock
of an order) and are read on every page and every InPost call. So each process keeps what it
read of them, and a transaction asks the database one cheap question first: which version of
the catalogue is this? (`SELECT version FROM catalogue_state`.) The version is bumped by
triggers on the catalogue's tables, in the database itself, so every writer counts: this
process, another worker, the back office of another server, a Core `UPDATE` or a `psql`
session. A process whose kept copy is of another version drops it and reads again.

Exactness, in order:
- the version is read before any row of the copy, so the rows are at least as new as their
  label (PostgreSQL's READ COMMITTED may show rows newer than the version read before them:
  the copy is then rebuilt at the next transaction, never kept stale);
- on PostgreSQL the triggers are deferred to the commit (constraint triggers): the version row
  is locked last, after the stock rows an order updates, so two orders cannot deadlock on it;
- a transaction that wrote the catalogue itself does not use the kept copy at all (it would not
  show its own changes, and the version it would read is its own, not yet committed): it reads
  the rows each time, as before. Pending ORM changes count as written.

The rows handed out are frozen snapshots (`ProductRow`, `CategoryRow`, `ConsentRow`) with the
models' attribute names, not ORM objects: they are shared between requests and threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import g, has_app_context
from sqlalchemy import event, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .extensions import db
from .models import CatalogueState, Category, Consent, Product, SoldAs, product_related

#: The tables whose every change bumps the version (the triggers below).
TABLES = ("category", "product", "product_related", "consent")
#: A process keeps at most this many products of one version; past it, it reads them again.
MAX_PRODUCTS = 10_000


# --- the version, kept by the database -------------------------------------------------------


def trigger_statements(dialect: str) -> list[str]:
    """The DDL that keeps `catalogue_state.version` (used by the migration and by create_all)."""
    bump = "UPDATE catalogue_state SET version = version + 1 WHERE id = 1"
    # A random first version: a database made again from nothing (the same seed, the same
    # number of changes) must not meet a process's copy of the one before under the same number.
    start = "floor(random() * 1e15)::bigint" if dialect == "postgresql" else "abs(random() % 1000000000000000)"
    first_row = (
        f"INSERT INTO catalogue_state (id, version) SELECT 1, {start} "
        "WHERE NOT EXISTS (SELECT 1 FROM catalogue_state)"
    )
    if dialect == "postgresql":
        statements = [
            first_row,
            "CREATE OR REPLACE FUNCTION catalogue_version_bump() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {bump}; RETURN NULL; END $$",
        ]
        for table in TABLES:
            statements += [
                f"DROP TRIGGER IF EXISTS catalogue_version_bump ON {table}",
                f"CREATE CONSTRAINT TRIGGER catalogue_version_bump AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalogue_version_bump()",
            ]
        return statements
    statements = [first_row]  # SQLite: one writer at a time, so plain triggers are enough
    for table in TABLES:
        for change in ("INSERT", "UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS catalogue_version_{table}_{change.lower()} "
                f"AFTER {change} ON {table} BEGIN {bump}; END"
            )
    return statements


def drop_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS catalogue_version_bump ON {t}" for t in TABLES] + [
            "DROP FUNCTION IF EXISTS catalogue_version_bump()"
        ]
    return [f"DROP TRIGGER IF EXISTS catalogue_version_{t}_{c}" for t in TABLES for c in ("insert", "update", "delete")]


@event.listens_for(db.metadata, "after_create")
def _install_triggers(metadata, connection: Connection, **_kw) -> None:
    """`db.create_all()` (the tests' fast path) gets the triggers the migration installs."""
    if CatalogueState.__table__.name in metadata.tables:
        for statement in trigger_statements(connection.dialect.name):
            connection.exec_driver_sql(statement)


# --- which transactions wrote the catalogue ----------------------------------------------------

_WRITES = ("INSERT", "UPDATE", "DELETE")
_WROTE = "catalogue_written"


def watch(engine) -> None:
    """Mark a connection whose transaction wrote a catalogue table, whatever wrote it."""

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(connection, _cursor, statement, *_args):
        head = statement.lstrip()[:6].upper()
        if head in _WRITES and not connection.info.get(_WROTE):
            target = statement.lstrip().split(None, 3)[:3]
            if any(t.strip('"').lower() in TABLES for t in target):
                connection.info[_WROTE] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _ended(connection):
        connection.info.pop(_WROTE, None)


def _written_here(session: Session) -> bool:
    if any(isinstance(row, (Product, Category, Consent)) for rows in (session.new, session.dirty, session.deleted)
           for row in rows):
        return True
    transaction = session.get_transaction()
    if transaction is None:
        return False
    # The connection of this transaction, if it has one yet (asking the session for it would
    # begin one on SQLite before `begin_write` could choose the kind of transaction).
    bound = transaction._connections.get(session.get_bind())
    return bool(bound and bound[0].info.get(_WROTE))


# --- the rows ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CategoryRow:
    id: int
    slug: str
    name: str
    description: str
    position: int


@dataclass(frozen=True, slots=True)
class ProductRow(SoldAs):
    """A product as the catalogue had it (the columns of `models.Product`)."""

    id: int
    slug: str
    category_id: int
    ean: str
    name: str
    description: str
    image: str
    vat_rate: int
    price_gross: Decimal
    promo_price_gross: Decimal | None
    lowest_price_gross: Decimal | None
    quantity_type: str
    quantity_unit: str
    quantity_step: Decimal
    stock: Decimal
    max_quantity: Decimal
    is_digital: bool
    attributes: tuple
    active: bool


@dataclass(frozen=True, slots=True)
class ConsentRow:
    id: str
    description: str
    link: str
    version: str
    requirement_type: str
    position: int

    @property
    def required(self) -> bool:
        return self.requirement_type != "OPTIONAL"


def _product_row(row) -> ProductRow:
    values = dict(row._mapping)
    values["attributes"] = tuple(tuple(a) if isinstance(a, list) else a for a in (values["attributes"] or ()))
    values["is_digital"] = bool(values["is_digital"])
    values["active"] = bool(values["active"])
    return ProductRow(**values)


_VERSION = text("SELECT version FROM catalogue_state WHERE id = 1")


# --- one version of the catalogue --------------------------------------------------------------


@dataclass
class Catalogue:
    """The catalogue of one version, filled as it is asked for (each kind of row in one statement).

    Shared by the requests of a process while the version holds; `derived` keeps what callers
    compute from the rows (the integration's product views, say) for as long as the rows.
    """

    version: int | None
    _categories: tuple[CategoryRow, ...] | None = None
    _all: tuple[ProductRow, ...] | None = None
    _products: dict[int, ProductRow | None] = field(default_factory=dict)
    _slugs: dict[str, int | None] = field(default_factory=dict)
    _related: dict[int, tuple[int, ...]] = field(default_factory=dict)
    _consents: tuple[ConsentRow, ...] | None = None
    _derived: dict[Any, Any] = field(default_factory=dict)

    def categories(self) -> tuple[CategoryRow, ...]:
        """All categories, in their order (`position`)."""
        if self._categories is None:
            rows = db.session.execute(select(Category.__table__).order_by(Category.position, Category.id))
            self._categories = tuple(CategoryRow(**r._mapping) for r in rows)
        return self._categories

    def all_products(self) -> tuple[ProductRow, ...]:
        """Every product, active or not, by id."""
        if self._all is None:
            rows = tuple(_product_row(r) for r in db.session.execute(select(Product.__table__).order_by(Product.id)))
            self._keep(rows)
            self._all = rows
        return self._all

    def products(self, ids: Iterable[int]) -> dict[int, ProductRow]:
        """The products of these ids that exist (one statement for those not yet read)."""
        ids = list(dict.fromkeys(ids))
        missing = [pid for pid in ids if pid not in self._products]
        if missing:
            found = [_product_row(r) for r in db.session.execute(select(Product.__table__).where(Product.id.in_(missing)))]
            self._keep(found)
            for pid in set(missing) - {r.id for r in found}:
                self._products[pid] = None
        return {pid: row for pid in ids if (row := self._products[pid]) is not None}

    def product(self, product_id: int) -> ProductRow | None:
        return self.products([product_id]).get(product_id)

    def product_by_slug(self, slug: str) -> ProductRow | None:
        if slug not in self._slugs:
            row = db.session.execute(select(Product.__table__).where(Product.slug == slug)).first()
            product = _product_row(row) if row is not None else None
            if product is not None:
                self._keep([product])
            self._slugs[slug] = product.id if product is not None else None
        pid = self._slugs[slug]
        return self._products.get(pid) if pid is not None else None

    def related_ids(self, product_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
        """Each product's related products (ids, ascending), active or not."""
        product_ids = list(dict.fromkeys(product_ids))
        missing = [pid for pid in product_ids if pid not in self._related]
        if missing:
            found: dict[int, list[int]] = {pid: [] for pid in missing}
            query = (
                select(product_related.c.product_id, product_related.c.related_id)
                .where(product_related.c.product_id.in_(missing))
                .order_by(product_related.c.product_id, product_related.c.related_id)
            )
            for pid, rid in db.session.execute(query):
                found[pid].append(rid)
            self._related.update((pid, tuple(rids)) for pid, rids in found.items())
        return {pid: self._related[pid] for pid in product_ids}

    def consents(self) -> tuple[ConsentRow, ...]:
        """The shop's consents, in their order."""
        if self._consents is None:
            rows = db.session.execute(select(Consent.__table__).order_by(Consent.position, Consent.id))
            self._consents = tuple(ConsentRow(**r._mapping) for r in rows)
        return self._consents

    def derived(self, key: Any, build: Callable[[], Any]) -> Any:
        """`build()` once per version of the catalogue (its result must depend on the rows only)."""
        try:
            return self._derived[key]
        except KeyError:
            value = self._derived[key] = build()
            return value

    def _keep(self, rows: Sequence[ProductRow]) -> None:
        if len(self._products) + len(rows) > MAX_PRODUCTS:
            self._products.clear()
            self._slugs.clear()
            self._derived.clear()
        for row in rows:
            self._products[row.id] = row
            self._slugs[row.slug] = row.id


#: Each database's copy, by engine (an app, a test, a benchmark may each have its own database).
_kept: dict[object, Catalogue] = {}
_kept_lock = threading.Lock()


def current() -> Catalogue:
    """The catalogue for this transaction: the process's kept copy when its version is the
    database's, else a new one (kept for the next transactions). One statement per transaction;
    none once the transaction has read it."""
    session = db.session()
    if _written_here(session):
        return Catalogue(version=None)  # this transaction's own changes: read afresh, keep nothing
    transaction = session.get_transaction()
    memo = g.get("_catalogue") if has_app_context() else None
    if memo is not None and transaction is not None and memo[0] is transaction:
        return memo[1]
    version = session.scalar(_VERSION)
    engine = session.get_bind()
    with _kept_lock:
        catalogue = _kept.get(engine)
        if catalogue is None or catalogue.version != version or version is None:
            catalogue = _kept[engine] = Catalogue(version=version)
    if has_app_context():
        g._catalogue = (session.get_transaction(), catalogue)
    return catalogue

