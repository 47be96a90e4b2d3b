# Two commands for a fresh Debian/Ubuntu machine: `make run` and `make test`.
# Each installs what is missing first (apt packages, .venv, the project), quietly when done.
.PHONY: run test lint bench setup setup-test clean

VENV := .venv
BIN := $(VENV)/bin
export RASA_TELEMETRY_ENABLED := false

run: setup
	$(BIN)/voxcart run

test: setup-test
	@$(BIN)/voxcart train --quiet
	@if [ -n "$$CI" ]; then \
		VOXCART_TEST_DATABASE_URL="$$(scripts/test-postgres.sh)" \
		VOXCART_TEST_REDIS_URL="$$(scripts/test-redis.sh)" $(BIN)/pytest -q; \
	else \
		$(BIN)/pytest -q; \
	fi

lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python benchmarks/resolve_and_search.py
	$(BIN)/python benchmarks/dialogue_turns.py
	$(BIN)/python benchmarks/voice_turns.py

setup:
	@scripts/bootstrap.sh run

setup-test:
	@scripts/bootstrap.sh test

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
