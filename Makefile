# Hotline: `make demo` and `make test` set everything up from a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The integration tests mostly wait on sockets, timers and browsers: run them in parallel.
TEST_WORKERS ?= 3
STAMP  := $(VENV)/.installed
# Browser libraries (charts) from the npm registry, pinned by vendor/package-lock.json and
# served by the app from vendor/node_modules (ignored; ADR 0170).
VENDOR := vendor/node_modules/.installed

.PHONY: demo test unit integration check serve bench fuzz fuzz-corpus fuzz-api venv vendor clean

$(STAMP): pyproject.toml requirements/lock.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Hotline needs Python 3.11 or newer (set PYTHON=python3.11)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

$(VENDOR): vendor/package.json vendor/package-lock.json
	@command -v npm >/dev/null 2>&1 || scripts/system-deps.sh node
	npm ci --prefix vendor --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(VENDOR)

vendor: $(VENDOR)

demo: $(STAMP) $(VENDOR)
	scripts/system-deps.sh demo
	$(BIN)/hotline demo

serve: $(STAMP) $(VENDOR)
	$(BIN)/hotline serve

test: $(STAMP) $(VENDOR)
	@if [ "$$CI" = "true" ]; then scripts/system-deps.sh all; fi
	$(BIN)/pytest tests/unit -q
	$(BIN)/pytest tests/integration -q -n $(TEST_WORKERS) --dist worksteal --durations=20

unit: $(STAMP)
	$(BIN)/pytest tests/unit -q

integration: $(STAMP) $(VENDOR)
	$(BIN)/pytest tests/integration -q -n $(TEST_WORKERS) --dist worksteal --durations=20

check: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/bench.txt
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Coverage-guided fuzzing (atheris) of the SIP, SDP, RTP/RTCP, flow YAML and expression
# parsers: 60 s per target by default; e.g. `make fuzz FUZZ_ARGS="--runs 1000000 --target sip"`.
fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz $(FUZZ_ARGS)

# Minimise what the fuzzers found (var/fuzz/) into the corpus kept in tests/fuzz/corpus/.
fuzz-corpus: $(STAMP)
	$(BIN)/python -m tests.fuzz --merge $(FUZZ_ARGS)
fuzz-api: $(STAMP)
	HOTLINE_API_FUZZ_EXAMPLES=$${HOTLINE_API_FUZZ_EXAMPLES:-100} $(BIN)/pytest tests/integration/api/test_schemathesis.py -q

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache vendor/node_modules
