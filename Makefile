# Two commands on a fresh machine with Python 3.11:
#   make run   set up .venv, ingest examples/seeds into newsweave.db, print the stories
#   make test  set up .venv with dev extras, run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= newsweave.db

.PHONY: run test venv dev lint bench clean train-ner train-boilerplate

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

venv: $(VENV)/.installed
dev: $(VENV)/.installed-dev

run: venv
	$(BIN)/newsweave ingest examples/seeds --db $(DB)
	$(BIN)/newsweave stories --db $(DB)

test: dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

bench: dev
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/similarity.py
	$(BIN)/python bench/stories.py
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/boilerplate.py
	$(BIN)/python bench/mojibake.py
	$(BIN)/python bench/ner.py

# Retrain the shipped models from ../shared/eval (fixed seeds; CI never retrains).
train-ner: venv
	$(BIN)/pip install --quiet -c constraints.txt -e ".[train]"
	nice -n 10 $(BIN)/python -m newsweave.entities.training --data ../shared/eval/ner --out models/ner

train-boilerplate: venv
	$(BIN)/pip install --quiet -c constraints.txt -e ".[train]"
	$(BIN)/python bench/train_boilerplate.py

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm
