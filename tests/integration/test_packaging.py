"""`pip install .` installs the integration as a package: `inpost_pay` and `widget`, with their
templates and static files, into a fresh virtual environment that sees nothing of this checkout."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import importlib.resources as res, inpost_pay, widget, inpost_pay.shop
assert "site-packages" in inpost_pay.__file__, inpost_pay.__file__
for package, path in (("widget", "templates/widget/_izi.html"), ("widget", "templates/widget/_slot.html"),
                      ("widget", "static/izi-glue.js"), ("widget", "static/vendor/socket.io.min.js"),
                      ("inpost_pay", "templates/inpost_console/outbox.html")):
    assert res.files(package).joinpath(path).is_file(), (package, path)
print("installed:", sorted(p.name for p in res.files("widget").joinpath("static").iterdir() if p.is_file()))
"""


def test_pip_install_gives_the_integration_with_its_files(tmp_path):
    # A copy of what the package is built from: the build writes nothing into the checkout.
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy(ROOT / "pyproject.toml", source)
    for package in ("inpost_pay", "widget"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # The build backend, without build isolation: setuptools (ensurepip brings it) and, for
    # setuptools older than 70.1, `wheel` from the package index.
    for module, requirement in (("setuptools", "setuptools>=61"), ("wheel", "wheel")):
        if subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode != 0:
            got = subprocess.run([python, "-m", "pip", "install", "-q", requirement], capture_output=True, text=True,
                                 timeout=300)  # fmt: skip
            assert got.returncode == 0, got.stderr[-3000:]
    install = subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "-q", str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-3000:]
    # Imports need the dependencies: the shared test environment lends them (read-only),
    # after the fresh venv's own site-packages, so inpost_pay and widget come from the install.
    deps = next(p for p in map(Path, sys.path) if p.name == "site-packages")
    env = {"PYTHONPATH": "", "PATH": "/usr/bin:/bin"}
    check = subprocess.run(
        [python, "-c", f"import sys; sys.path.append({str(deps)!r}); " + CHECK],
        capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr[-3000:]
    assert "izi-glue.js" in check.stdout
