# sohoa developer tasks. `make run` brings everything up from a fresh checkout.
VENV := .venv
SOHOA := $(VENV)/bin/sohoa

.PHONY: setup run test lint typecheck clean

setup:
	bash scripts/setup.sh

run: setup
	$(SOHOA) migrate --noinput
	$(SOHOA) demo-load --if-empty
	$(SOHOA) serve

test: setup
	bash scripts/test.sh

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck:
	$(VENV)/bin/mypy src

# Removes test and tool artefacts; keeps data/ (the archive itself), .venv and node_modules.
clean:
	rm -rf htmlcov/ test-results/ .mypy_cache/ .ruff_cache/ .pytest_cache/
	rm -f .coverage .coverage.*
	find . -path ./.venv -prune -o -path ./node_modules -prune -o \
		-type d -name __pycache__ -print0 | xargs -0 -r rm -rf
