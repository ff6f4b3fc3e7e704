# Two commands (docs/architecture.md#interfaces): `make run` and `make test`. Both set up what is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.requirements-installed

.PHONY: run run-minimal test venv db reset chromium lint clean

# gunicorn, SHOP_WORKERS processes (default 1); it migrates the schema itself before serving.
run: venv
	$(BIN)/python scripts/serve.py

# The minimal shop (examples/minimal_shop/) with the same integration and settings.
run-minimal: venv
	$(BIN)/python examples/minimal_shop/serve.py

test: venv chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

venv: $(STAMP)

$(STAMP): requirements.txt
	@echo "Setting up $(VENV) and installing requirements.txt (the first time takes a minute or two)..."
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --progress-bar off -r requirements.txt
	touch $(STAMP)
	@echo "Packages installed."

# The schema from migrations (the shop's chain, then InPost Pay's), then the demo data if empty.
db: venv
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app init-db

# Restore the demo data (catalogue, stock, promo codes; no orders, no baskets) in the shop and
# empty the sandbox (phones, baskets, orders, its log); the venv and the signing keys stay.
# Stop `make run` first (Ctrl+C).
reset: venv
	$(BIN)/flask --app app seed --reset
	$(BIN)/flask --app sandbox.app reset-db

chromium: venv
	sh scripts/ensure-chromium.sh

lint: venv
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance/*.db .pytest_cache test-results
