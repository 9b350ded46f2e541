.PHONY: install demo test lint format
VENV := .venv/bin

install:
	bash scripts/install.sh

demo: install
	$(VENV)/cdv run

test:
	$(VENV)/python -m pytest

lint:
	$(VENV)/ruff check pipeline tests benchmarks
	$(VENV)/mypy

format:
	$(VENV)/ruff format pipeline tests benchmarks
