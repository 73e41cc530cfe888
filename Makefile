# Targets are what the README tells people to type.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: run hosted test check lint format typecheck imports bench system-deps setup clean help translations

help:
	@echo "make run    - set up and run the app on the embedded dataset (http://localhost:8501)"
	@echo "make hosted - PostgreSQL, two app replicas and nginx in front, on loopback (http://127.0.0.1:8080)"
	@echo "make test   - set up and run lint, type checks and all tests (unit, AppTest, browser, PostgreSQL, hosted)"
	@echo "make translations - extract texts, update the German catalogue, compile it"
	@echo "make bench  - run the benchmarks and print their figures (about 45 min on 2 cores)"

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

setup: $(STAMP)

# Debian Chromium (browser tests), PostgreSQL (store tests) and nginx (hosted topology);
# installed when missing and root.
system-deps:
	@bash scripts/system-deps.sh

run: setup
	$(VENV)/bin/streamlit run app.py

# The hosted topology without Docker (docs/HOSTING.md); Ctrl-C stops it.
hosted: setup system-deps
	$(PY) scripts/hosted.py

# Texts to translate: extract them from the code, update the German catalogue (new entries
# arrive empty, changed ones fuzzy: translate them in the .po), compile the .mo the app reads.
POT := src/mstatlas/locale/mstatlas.pot
translations: setup
	$(VENV)/bin/pybabel extract -F babel.cfg --no-location --sort-output --add-comments=Translators: \
	  --project="MST Atlas" --copyright-holder="MST Atlas contributors" -o $(POT) .
	$(VENV)/bin/pybabel update -i $(POT) -d src/mstatlas/locale -D mstatlas --ignore-obsolete
	$(VENV)/bin/pybabel compile -d src/mstatlas/locale -D mstatlas --statistics

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: setup
	$(VENV)/bin/mypy

# Layers only point down, no Streamlit below ui (contracts in pyproject.toml).
imports: setup
	$(VENV)/bin/lint-imports --no-cache

check: lint typecheck imports

# pytest exits 5 when it collected no tests: that must fail, not pass quietly.
test: setup system-deps check
	@$(PY) -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$status

# Rendering (MST Atlas vs a naive folium peer), first paint (vs a bare st_folium peer), uploads, a 10,000,000-firm
# register aggregated from the command line, the dataset store, shared links,
# sessions on one replica and through nginx on two, growth, clusters detected in a 100,000-firm register.
bench: setup system-deps
	$(PY) -m benchmarks
	$(PY) benchmarks/bench_first_paint.py
	$(PY) benchmarks/bench_upload.py
	$(PY) benchmarks/bench_stream.py
	$(PY) benchmarks/bench_store.py
	$(PY) benchmarks/bench_share.py
	$(PY) benchmarks/bench_sessions.py
	$(PY) benchmarks/bench_sessions.py --through-nginx
	$(PY) benchmarks/bench_growth.py
	$(PY) benchmarks/bench_detect.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts static/vendor
