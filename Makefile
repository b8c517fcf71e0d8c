# Two commands for everyone: `make lab` (learn) and `make test` (prove). Both set up
# .venv first, from nothing but python3.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The exact versions to install, pinned per Python (make constraints writes them)
PYVER  := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
PINS   := constraints/python$(PYVER).txt

AXE    := tests/browser/node_modules/axe-core/axe.min.js
STUDENTS ?= 40
SEED ?= 7

.PHONY: help setup lab test release demo bench constraints clean site labextension

help:
	@echo "make lab      set up, then open the course in JupyterLab (your copy lives in workspace/)"
	@echo "make test     set up, then run the whole test suite"
	@echo "make release  regenerate release/ from source/ with nbgrader (instructors)"
	@echo "make demo     run a term for a synthetic cohort (STUDENTS=40 SEED=7) and write its reports"
	@echo "make constraints  re-pin constraints/python$(PYVER).txt to the newest releases inside pyproject's ranges (PYTHON=...)"
	@echo "make site     build site/: the course in the browser, nothing to install (a JupyterLite study edition)"
	@echo "make labextension  rebuild the learner's JupyterLab extension from labextension/ (needs Node.js and npm)"
	@echo "make bench    measure the course against the kernel-start floor; writes docs/performance.md (~80 min)"

setup: $(STAMP)

$(STAMP): start.py pyproject.toml $(PINS) etc/lab/overrides.json etc/jupyter/nbgrader_config.py etc/kernels/python3/kernel.json
	# start.py's set-up (the same one a learner without make runs): .venv with the learner's
	# packages plus the instructors', the browser driver and the test tools, each at the
	# version pinned for this Python; course-wide JupyterLab and nbgrader settings; every
	# Python kernel in isolated mode (python -I)
	$(PYTHON) start.py --setup-only --extras instructor,browser,test,site,cluster
	touch $@

# Learners work in workspace/, a copy of release/ that updates never overwrite:
# new lessons are added, nothing already there is replaced (src/peercourse/lab.py).
lab: $(STAMP)
	$(BIN)/peercourse lab --workspace workspace

# axe-core, for the accessibility check in the browser tests (skipped without npm, except in CI)
$(AXE): tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the browser accessibility check will be skipped"; fi

test: $(STAMP) $(AXE)
	$(BIN)/python -m pytest

release: $(STAMP)
	$(BIN)/peercourse release

demo: $(STAMP)
	$(BIN)/peercourse demo --students $(STUDENTS) --seed $(SEED) --out demo-output

# The study edition in the browser: a static JupyterLite site in site/ (not committed). Its
# parts come from npm and PyPI, kept in build/lite-cache/ (src/peercourse/lite_site.py).
site: $(STAMP)
	$(BIN)/peercourse site --out site

# The learner's JupyterLab extension (labextension/index.js: Run waits for the kernel, Run All
# keeps the learner's place), built with JupyterLab's own builder into the package. The build
# is committed, so make lab and make test need no Node.js; rebuild after changing the source.
LABEXT := src/peercourse/labextensions/peercourse-learner
labextension: $(STAMP)
	npm ci --prefix labextension --no-audit --no-fund --loglevel=error
	rm -rf $(LABEXT)
	cd labextension && node node_modules/@jupyterlab/builder/lib/build-labextension.js \
		--core-path "$$(../$(BIN)/python -c 'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging"))')" .
	$(BIN)/python -c "import json, pathlib; from peercourse.lab import labextension_fingerprint as f; \
		pathlib.Path('$(LABEXT)/built-from.json').write_text(json.dumps(f(pathlib.Path('.')), indent=1) + '\n')"

bench: $(STAMP)
	$(BIN)/python bench/benchmark.py

$(PINS):
	@echo "No pinned versions for Python $(PYVER) ($(PINS)): the course is tested on 3.11 and 3.12."
	@echo "Run make setup with one of those (PYTHON=python3.11), or write pins for this one with make constraints."
	@exit 1

# Every extra in one throwaway environment, then its exact versions: what make setup, CI and
# deploy/setup-hub.sh install on this Python. Run it (PYTHON=python3.x for each of 3.11 and
# 3.12) to take newer releases; make test then proves them. Use the oldest patch release
# the course must run on (for 3.11, Debian 12's /usr/bin/python3, 3.11.2, which the hub
# uses): some releases need a newer patch (soupsieve 3 needs 3.11.5), and pins made on an
# older one install on every newer one.
constraints:
	rm -rf build/constraints-$(PYVER)
	$(PYTHON) -m venv build/constraints-$(PYVER)
	build/constraints-$(PYVER)/bin/python -m pip install --quiet --upgrade "pip>=23.2"
	build/constraints-$(PYVER)/bin/python -m pip install --quiet ".[instructor,browser,test,site,cluster,hub,postgresql]"
	mkdir -p constraints
	{ echo "# Written by make constraints on Python $$(build/constraints-$(PYVER)/bin/python -c 'import platform; print(platform.python_version())'): the exact"; \
	  echo "# versions make setup, CI and deploy/setup-hub.sh install on Python $(PYVER). Do not edit by hand."; \
	  build/constraints-$(PYVER)/bin/python -m pip freeze --exclude peercourse; } > $(PINS)
	rm -rf build/constraints-$(PYVER)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
