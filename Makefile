# Composer: two commands do all the set-up.
#   make run    install what is missing, then start the app on the shipped default model
#   make test   install what is missing, then ruff, the import rules and the test suite
# Both are idempotent: a second run only checks stamps and starts.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
TORCH  := torch==2.13.0
STAMP  := $(VENV)/.composer-installed

.PHONY: run test lint system deps screenshot bench clean

run: deps
	$(VENV)/bin/composer $(ARGS)

test: deps
	$(VENV)/bin/ruff check composer tests bench
	@out=$$($(VENV)/bin/lint-imports --no-cache 2>&1) || { echo "$$out"; exit 1; }; echo "$$out" | grep -E "KEPT|BROKEN|Contracts"
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

lint: deps
	$(VENV)/bin/ruff check composer tests bench
	@out=$$($(VENV)/bin/lint-imports --no-cache 2>&1) || { echo "$$out"; exit 1; }; echo "$$out" | grep -E "KEPT|BROKEN|Contracts"

# System libraries (libfluidsynth, Qt's runtime libraries): installed when we are root
# or have password-less sudo on Debian/Ubuntu; otherwise the exact command is printed.
system:
	@bash packaging/linux/install-system-packages.sh

deps: system $(STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# torch first and pinned: a bare "torch" would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -c "import torch" 2>/dev/null || $(PIP) install --disable-pip-version-check -q $(TORCH)
	$(PIP) install --disable-pip-version-check -q -e '.[test]'
	@touch $(STAMP)

# A screenshot of the window under Xvfb for the README.
screenshot: deps
	@bash packaging/linux/screenshot.sh

bench: deps
	@for f in bench/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist
