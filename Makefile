# Hotline: `make demo` and `make test` set everything up from a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The integration tests mostly wait on sockets, timers and browsers: run them in parallel.
TEST_WORKERS ?= 3
STAMP  := $(VENV)/.installed

.PHONY: demo test unit integration check serve bench fuzz fuzz-corpus fuzz-api venv clean

$(STAMP): pyproject.toml requirements/lock.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Hotline needs Python 3.11 or newer (set PYTHON=python3.11)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	scripts/system-deps.sh demo
	$(BIN)/hotline demo

serve: $(STAMP)
	$(BIN)/hotline serve

test: $(STAMP)
	@if [ "$$CI" = "true" ]; then scripts/system-deps.sh all; fi
	$(BIN)/pytest tests/unit -q
	$(BIN)/pytest tests/integration -q -n $(TEST_WORKERS) --durations=20

unit: $(STAMP)
	$(BIN)/pytest tests/unit -q

integration: $(STAMP)
	$(BIN)/pytest tests/integration -q -n $(TEST_WORKERS) --durations=20

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
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
