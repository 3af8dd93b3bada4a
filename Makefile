# The single entry point. A fresh clone needs only python3 (3.11+) and make:
# every target builds .venv from requirements.lock first.
#   make book       build the book, print where to open it
#   make test       the whole test suite (unit, notebooks with nbval, exercises, book, browser)
#   make test-fast  the unit tests of the learner package and the course's tools (seconds)
#   make serve      the built book on http://127.0.0.1:8000/ (search shows excerpts over HTTP)
#   make test-pythons   notebooks and exercise sets on every other tested Python found (3.11-3.13)
#   make lab        JupyterLab for learners (exercises copied to workspace/), with Validate
#   make lab-instructor   JupyterLab with nbgrader's instructor tools and an exchange in exchange/
#   make execute    re-execute chapter notebooks in place (NB=notebooks/01_x.ipynb for one)
#   make lint       ruff over the code and the notebooks
#   make grade ASSIGNMENT=01_internet_and_networking   autograde a class safely, in parallel
#   make mutants SET=01_internet_and_networking   mutation kill rate of a set's tests
#                  (WRITE=1 updates tests/mutants/<set>.toml; Q=<answer grade_id> for one cell)
#   make xss-screenshots   chapter 10's XSS screenshots (book/images/), from headless Chromium
#   make docs-screenshots   chapter 07's Swagger UI and ReDoc screenshots (book/images/), offline
#   make benchmark  execution, build and grading times as a table
#   make benchmark-grading   safe grading vs plain nbgrader autograde on 20 submissions
#   make lock       re-resolve requirements.lock from pyproject.toml; check every pin has wheels

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed
NB ?= notebooks/*.ipynb
# One environment for every run: the same in JupyterLab, in `make execute` and in CI.
export PYTHONHASHSEED := 0
export TZ := UTC
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export JUPYTER_PLATFORM_DIRS := 1
# gRPC's C core logs connection events (GOAWAY) straight to stderr; only errors, please.
export GRPC_VERBOSITY := ERROR
# nbgrader runs tools of its environment (alembic) by name.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: xss-screenshots book serve test test-fast test-portable test-pythons lab lab-instructor execute docs-screenshots lint grade mutants benchmark benchmark-grading lock clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 13) else "Python 3.11 to 3.13 are tested; this is " + sys.version.split()[0] + ". Pick one of those: make PYTHON=python3.12 VENV=.venv-3.12 ...")' || { echo "(PYTHON=$(PYTHON) could not be run or is not a tested version)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@# Compiled once here: kernels then load packages from .pyc even where PYTHONDONTWRITEBYTECODE
	@# is set, which keeps each chapter inside its 20 s.
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --editable .
	@touch $@

book: $(STAMP)
	$(BIN)/python -m backend_roadmap_tools.book

# Two workers: the tests mostly wait on kernels, servers and child processes. Tests that share a
# kernel, a fixture or the built book run on one worker (tests/support/parallel.py).
TEST_WORKERS ?= 2

test: $(STAMP)
	$(BIN)/python -m pytest --nbval -n $(TEST_WORKERS) --dist loadgroup

# What can differ between Python versions: notebook outputs and grading through nbgrader.
# Used by test-pythons (the jail, the real servers and the book are tested once, by make test).
test-portable: $(STAMP)
	$(BIN)/python -m pytest --nbval notebooks tests/course/test_exercises.py \
		tests/course/test_interpreter.py tests/course/test_structure.py -p no:cacheprovider -q

test-pythons: $(STAMP)
	$(BIN)/python -m backend_roadmap_tools.pythons

test-fast: $(STAMP)
	$(BIN)/python -m pytest tests/learner tests/tools tests/course -m "not slow and not browser" -q

serve: $(STAMP)
	$(BIN)/python -m backend_roadmap_tools.book serve

# JupyterLab's settings for each audience live in lab/ (lab/README.md says what each shows).
LAB_FLAGS := --notebook-dir=. --ServerApp.ip=127.0.0.1 $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(BIN)/python -m backend_roadmap_tools.workspace
	JUPYTER_CONFIG_DIR=$(abspath lab/learner) $(BIN)/jupyter lab $(LAB_FLAGS)

lab-instructor: $(STAMP)
	@mkdir -p exchange && chmod 1777 exchange
	JUPYTER_CONFIG_DIR=$(abspath lab/instructor) $(BIN)/jupyter lab $(LAB_FLAGS)

# Chapter 07's pictures of Swagger UI and ReDoc, taken offline in headless Chromium.
docs-screenshots: $(STAMP)
	$(BIN)/python -m backend_roadmap_tools.docs_screenshots

execute: $(STAMP)
	$(BIN)/python -m backend_roadmap_tools.execute $(NB)

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts nbgrader_config.py lab notebooks exercises/source
	$(BIN)/ruff format --check src tests scripts

grade: $(STAMP)
	@test -n "$(ASSIGNMENT)" || { echo "Say which: make grade ASSIGNMENT=01_internet_and_networking"; exit 2; }
	$(BIN)/python -m backend_roadmap_tools.grading autograde $(ASSIGNMENT) $(if $(WORKERS),--workers $(WORKERS),)

mutants: $(STAMP)
	@test -n "$(SET)" || { echo "Say which: make mutants SET=01_internet_and_networking"; exit 2; }
	$(BIN)/python -m backend_roadmap_tools.mutants $(SET) $(if $(WRITE),--write,) \
		$(if $(Q),--question $(Q),) $(if $(VERBOSE),--verbose,)

xss-screenshots: $(STAMP)
	$(BIN)/python -m backend_roadmap_tools.xss_browser

benchmark: $(STAMP)
	$(BIN)/python scripts/benchmark.py

benchmark-grading: $(STAMP)
	$(BIN)/python scripts/benchmark_grading.py

lock: $(STAMP)
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --universal --python-version 3.11 -o requirements.lock
	$(BIN)/python -m backend_roadmap_tools.wheels

clean:
	rm -rf _build exchange exercises/release exercises/autograded exercises/feedback .pytest_cache
