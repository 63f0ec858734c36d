# Darcha — one-command start and test. Needs only the system Python 3.11+ and make;
# Debian packages a target needs (chromium for browser tests, wrk for benchmarks) it installs itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
STAMP  := $(VENV)/.installed
# A make run from a stage of `make run` (through a variable, so that `make -n run` only shows it).
SUBMAKE = $(MAKE) --no-print-directory -s

.PHONY: run test e2e region bench lint format install migrate demo messages schema voices lock lock-check clean

# Installed from the hashed lock (requirements-dev.lock, exported from uv.lock): every package pinned and
# checked, the build backend too; refresh both with `make lock` after changing pyproject.toml.
$(STAMP): pyproject.toml requirements-dev.lock
	@# WeasyPrint (receipts, results) renders text with Debian's Pango.
	@ldconfig -p | grep -q libharfbuzz-subset || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(BIN)/darcha migrate --noinput

demo: migrate
	$(BIN)/darcha load_demo

## run: install, migrate, load the Namangan demo, serve at http://$(HOST):$(PORT) with the task worker
# One line per stage with its time (scripts/stages.py, on the system Python: a stage's output is shown
# only if it fails); `darcha serve` prints the address and the demo's logins last, once all has started.
run:
	@$(PYTHON) scripts/stages.py --total 4 \
		"installing packages" "$(SUBMAKE) install" \
		"migrating the database" "mkdir -p var && $(BIN)/darcha migrate --noinput" \
		"loading the Namangan demo" "$(BIN)/darcha load_demo"
	@echo "[4/4] starting the server, the task worker and the scheduler …"
	@$(BIN)/darcha serve --host $(HOST) --port $(PORT)

## test: the whole suite but the browser tests (SQLite, or DATABASE_URL)
# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: pytest keeps each test module with its
# rewritten asserts in __pycache__, and every process would otherwise compile them all again (seconds).
# worksteal: each worker starts with its half of the (layer-sorted) tests and takes over the other's rest.
test: install
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n 2 --dist worksteal -m "not e2e and not region" -q

## e2e: browser tests in headless Debian Chromium
e2e: install
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
	$(BIN)/pytest -m e2e -q -p no:xdist

## region: a region's deployment on this machine (docs/deploy.md): nginx, two gunicorn, one uvicorn, two
## task workers and the scheduler, on a scratch database of the PostgreSQL at 127.0.0.1:5432
region: install
	@command -v nginx >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null)
	$(BIN)/pytest -m region -q -p no:xdist tests/region

## bench: every benchmark under bench/, one table
bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python bench/run.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## voices: render the display board's voice clips (Uzbek, Russian) and chime with Debian's espeak-ng
voices: install
	@command -v espeak-ng >/dev/null && command -v opusenc >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng opus-tools >/dev/null)
	$(BIN)/darcha render_voice_clips

## messages: refresh the translation catalogs (uz-cyrl is transliterated from uz) and compile them
messages: install
	cd darcha && ../$(BIN)/darcha makemessages -l uz -l uz_Cyrl -l ru -l en --no-obsolete --no-location
	$(BIN)/darcha translit_catalog
	cd darcha && ../$(BIN)/darcha compilemessages
	@# The schema carries the translated labels of enums: it changes with the catalogs.
	$(BIN)/darcha spectacular --file docs/api/openapi.yaml --validate

## schema: regenerate the committed OpenAPI schema
schema: install
	$(BIN)/darcha spectacular --file docs/api/openapi.yaml --validate

## lock: re-resolve uv.lock after a change to pyproject.toml (`UPGRADE=1` takes the newest versions allowed)
## and export the hashed requirement files pip installs from
EXPORT := $(BIN)/uv export --frozen --no-emit-project --format requirements-txt --no-header --quiet
lock: install
	$(BIN)/uv lock --python 3.11 $(if $(UPGRADE),--upgrade,)
	$(EXPORT) --no-dev -o requirements.lock
	$(EXPORT) --no-default-groups --group build --extra dev -o requirements-dev.lock

## lock-check: uv.lock satisfies pyproject.toml, and the requirement files are its exports (CI)
lock-check: install
	$(BIN)/uv lock --python 3.11 --check
	$(EXPORT) --no-dev | diff -u requirements.lock -
	$(EXPORT) --no-default-groups --group build --extra dev | diff -u requirements-dev.lock -

clean:
	rm -rf $(VENV) var .pytest_cache
