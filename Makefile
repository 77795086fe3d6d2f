# Two commands set everything up on a fresh machine:
#   make demo   install, seed a realistic demo association and serve it on :8000
#   make test   install and run the whole suite on SQLite and (when reachable) PostgreSQL
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
MEMBERS ?= 5000
PORT ?= 8000

.PHONY: install browser demo test lint serve worker clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,demo]'
	touch $@

demo: install
	$(BIN)/commonground demo --members $(MEMBERS) --port $(PORT)

# Debian's chromium for the browser journeys (tests/browser); scripts/test.sh runs it too.
browser:
	bash scripts/install-browser.sh

test: install
	VENV=$(VENV) bash scripts/test.sh

lint: install
	$(BIN)/ruff check .

serve: install
	$(BIN)/commonground serve --port $(PORT)

worker: install
	$(BIN)/commonground worker

clean:
	rm -rf $(VENV) var
