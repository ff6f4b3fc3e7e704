"""The integration and the shop meet only at the seam (inpost_pay/shop.py, docs/architecture.md):
no module of `inpost_pay/` or `widget/` imports the shop, the shop's code and templates import
nothing of the integration, and no import cycle runs through any of them. Read from the source
(the AST), so that an import inside a function counts too."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ("inpost_pay", "widget")
SHOP = ("storefront",)
OUTSIDE = ("app", "shop_adapter", "config")  # the demo's wiring: neither side may import it


def modules(package: str) -> dict[str, Path]:
    out = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports_of(name: str, path: Path) -> set[str]:
    """Absolute names of every module `name` imports (relative imports resolved)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("package", INTEGRATION)
def test_the_integration_never_imports_the_shop(package):
    offending = {
        f"{name} imports {imported}"
        for name, path in modules(package).items()
        for imported in imports_of(name, path)
        if top(imported) in SHOP + OUTSIDE
    }
    assert not offending, sorted(offending)


def test_the_shop_never_imports_the_integration():
    offending = {
        f"{name} imports {imported}"
        for name, path in modules("storefront").items()
        for imported in imports_of(name, path)
        if top(imported) in INTEGRATION + OUTSIDE
    }
    assert not offending, sorted(offending)


TEMPLATE_REFERENCE = re.compile(r"""{%-?\s*(?:import|include|from|extends)\s+["']([^"']+)["']""")


def test_the_shop_templates_name_no_integration_template():
    found = {
        f"{path.relative_to(ROOT)}: {ref}"
        for path in (ROOT / "templates").rglob("*.html")
        for ref in TEMPLATE_REFERENCE.findall(path.read_text(encoding="utf-8"))
        if ref.startswith(("widget/", "inpost_console/"))
    }
    assert not found, sorted(found)
    glue = (ROOT / "widget" / "static" / "izi-glue.js").read_text(encoding="utf-8")
    assert "getElementById" not in glue and "basket-main" not in glue  # the page redraws itself


def test_there_is_no_import_cycle():
    graph: dict[str, set[str]] = {}
    for package in INTEGRATION + SHOP:
        graph.update({name: set() for name in modules(package)})
    graph.update({name: set() for name in OUTSIDE if (ROOT / f"{name}.py").exists()})
    paths = {**{n: p for pkg in INTEGRATION + SHOP for n, p in modules(pkg).items()},
             **{n: ROOT / f"{n}.py" for n in OUTSIDE if (ROOT / f"{n}.py").exists()}}  # fmt: skip
    for name, path in paths.items():
        for imported in imports_of(name, path):
            # "from . import x" names the package and its module x: the module is the edge.
            target = imported if imported in graph else imported.rpartition(".")[0]
            if target in graph and target != name and not name.startswith(target + "."):
                graph[name].add(target)
    cycles, state = [], {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(trail[trail.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, [" -> ".join(c) for c in cycles]


def test_init_app_refuses_a_shop_that_does_not_implement_the_seam():
    from flask import Flask

    import inpost_pay
    from examples.minimal_shop.adapter import MinimalShop
    from inpost_pay.shop import Shop
    from shop_adapter import DemoShop

    assert isinstance(DemoShop(), Shop) and isinstance(MinimalShop(), Shop)

    class HalfAShop:
        def product(self, product_id):
            return None

    app = Flask(__name__)
    app.config.update({"INPOST_PAY_API_URL": "http://127.0.0.1:9", "INPOST_PAY_AUTH_URL": "http://127.0.0.1:9/t",
                       "INPOST_PAY_CLIENT_ID": "x", "INPOST_PAY_CLIENT_SECRET": "x"})  # fmt: skip
    with pytest.raises(TypeError, match="inpost_pay.shop.Shop"):
        inpost_pay.init_app(app, shop=HalfAShop(), db=None)
