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

.PHONY: run test lint system deps screenshot bench clean bundle check-bundle wheel check-wheel \
	install-desktop uninstall-desktop

run: deps
	$(VENV)/bin/composer $(ARGS)

test: deps
	$(VENV)/bin/ruff check composer tests bench packaging
	@out=$$($(VENV)/bin/lint-imports --no-cache 2>&1) || { echo "$$out"; exit 1; }; echo "$$out" | grep -E "KEPT|BROKEN|Contracts"
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

lint: deps
	$(VENV)/bin/ruff check composer tests bench packaging
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

# A screenshot of the window under Xvfb for the README (Xvfb is installed when we can).
screenshot: deps
	@bash packaging/linux/install-system-packages.sh xvfb xauth
	@bash packaging/linux/screenshot.sh

# The app as a PyInstaller one-folder bundle in dist/composer/ (CPU torch, models,
# examples, SoundFont, verovio data, Qt plugins), then its size and biggest parts.
# dist/composer/install.sh installs it with a menu entry (packaging/linux/install.sh).
# 2 min 20 s from a fresh clone on 2 cores (venv included). Not part of `make test`:
# `make check-bundle` tests it.
BUNDLE_TOOLS := $(VENV)/.composer-bundle-tools
$(BUNDLE_TOOLS): $(STAMP)
	$(PIP) install --disable-pip-version-check -q -e '.[bundle]'
	@touch $(BUNDLE_TOOLS)

bundle: deps $(BUNDLE_TOOLS)
	QT_QPA_PLATFORM=offscreen $(PY) -m PyInstaller --noconfirm --log-level WARN \
		--distpath dist --workpath build/pyinstaller packaging/pyinstaller/composer.spec
	@cp packaging/linux/install.sh dist/composer/install.sh
	@$(PY) packaging/bundle_size.py dist/composer

# The bundle's acceptance checks: in an empty environment under Xvfb, size, start-up
# time against the venv (builds the bundle first if there is none).
check-bundle: deps
	@[ -x dist/composer/composer ] || $(MAKE) bundle
	@bash packaging/linux/install-system-packages.sh xvfb xauth
	$(PY) packaging/check_bundle.py dist/composer

# A wheel (with the models and resources inside) into dist/, and its check: installed
# into a fresh venv, `composer models` lists the three models, `composer continue` works.
wheel: deps $(BUNDLE_TOOLS)
	$(PY) -m build --wheel --outdir dist .
	@ls -l dist/*.whl

check-wheel: deps $(BUNDLE_TOOLS)
	$(PY) packaging/check_wheel.py

# The menu entry, icons and file types for this user (the bundle if built, else the venv).
install-desktop: deps
	bash packaging/linux/install.sh --user
uninstall-desktop:
	bash packaging/linux/install.sh --user --uninstall

bench: deps
	@for f in bench/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist
