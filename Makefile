# Two commands do all the set-up themselves:
#   make lab    create .venv, install the course into it, open JupyterLab at notebook 00
#   make test   create .venv, install the course and its test tools, run the whole test suite
# Needs only Python >= 3.10 (set PYTHON=python3.12 to choose another interpreter).
#
# Both install the exact versions of requirements/lock.txt (LOCK=none: the newest releases
# within pyproject.toml's ranges instead, of the same packages: the course and all its
# extras, as the lock has them). `make lock` refreshes the lock.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LOCK ?= requirements/lock.txt
# pyproject.toml's optional-dependencies, all of them, as in the lock (tools/lock.py compiles
# it with --all-extras; tests/test_packaging.py checks that this list names every extra)
EXTRAS := lab,test,site,browser,ci,classroom

# Which PyTorch build. The lock fixes the release; the build depends on the machine:
# - Linux without an NVIDIA driver (no nvidia-smi): the CPU build from PyTorch's own index,
#   about 0.2 GB instead of the CUDA build's several GB that plain `pip install torch` takes;
# - Linux with an NVIDIA driver, macOS, Windows: the build PyPI serves (CUDA on Linux).
# Choose yourself with TORCH_SPEC, e.g. make test TORCH_SPEC=torch==2.13.0 (quote a spec
# with >= inside the variable: TORCH_SPEC="'torch>=2.1'").
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
TORCH_VERSION := $(shell sed -n 's/^torch==\([0-9][0-9.]*\).*/\1/p' requirements/lock.txt)
TORCH_REQ := $(if $(filter none,$(LOCK)),'torch>=2.1',torch==$(TORCH_VERSION))
NVIDIA := $(shell command -v nvidia-smi >/dev/null 2>&1 && echo yes)
ifeq ($(origin TORCH_SPEC),undefined)
  ifeq ($(shell uname -s)$(NVIDIA),Linux)
    TORCH_SPEC := $(TORCH_REQ) --index-url $(TORCH_CPU_INDEX)
    TORCH_WHY := Linux without an NVIDIA driver (no nvidia-smi), so the CPU build; set TORCH_SPEC to choose
  else
    TORCH_SPEC := $(TORCH_REQ)
    TORCH_WHY := PyPI's build for this machine (CUDA on Linux with an NVIDIA driver); set TORCH_SPEC to choose
  endif
else
  TORCH_WHY := as TORCH_SPEC says
endif

.PHONY: lab test lint lock generate execute slides lectures site handouts clean lecturer editions

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml $(filter-out none,$(LOCK))
	@echo "PyTorch: $(TORCH_SPEC)  ($(TORCH_WHY))"
	$(BIN)/python -m pip install --quiet $(TORCH_SPEC)
ifeq ($(LOCK),none)
	$(BIN)/python -m pip install --quiet --upgrade -e ".[$(EXTRAS)]"
else
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
endif
	@$(BIN)/python -c "import torch; print('installed: torch', torch.__version__, '(CUDA build)' if torch.version.cuda else '(CPU build)')"
	touch $@

# Jupyter refuses to run as root unless told; containers often run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

# The classroom's additions (binder/labextensions: the widgets in RISE's slideshow;
# binder/overrides.d: RISE's theme and keys), installed as Binder's postBuild does.
SHARE := $(VENV)/share/jupyter
lab: $(VENV)/.installed
	mkdir -p $(SHARE)/labextensions $(SHARE)/lab/settings/overrides.d
	cp -R binder/labextensions/. $(SHARE)/labextensions/
	cp binder/overrides.d/*.json $(SHARE)/lab/settings/overrides.d/
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb

test: $(VENV)/.installed
	$(BIN)/python -m pytest

# The linter, as CI runs it (pyproject.toml, [tool.ruff]).
lint: $(VENV)/.installed
	$(BIN)/ruff check .

# For maintainers: refresh requirements/lock.txt (and binder/environment.yml, its twin)
# from pyproject.toml, with uv. Run it after changing a dependency or an extra, commit both.
lock: $(BIN)/python
	$(BIN)/python -m tools.lock

# For authors: regenerate navigation, set-up cells and README tables; re-execute notebooks.
generate: $(VENV)/.installed
	$(BIN)/python -m tools.nbtool generate

execute: $(VENV)/.installed
	$(BIN)/python -m tools.nbtool execute

# Slide decks (build/slides, reveal.js, 1280x720; the lecturer's: speaker notes from
# lecturer/notes, press s) and a static web site (build/site: the learner's edition, for the
# public, no notes) from the executed notebooks; both work offline. See LECTURERS.md.
slides: $(VENV)/.installed
	$(BIN)/python -m tools.build slides

# The designed lecture decks (lecturer/decks) with their speaker notes: build/lecturer/decks
lectures: $(VENV)/.installed
	$(BIN)/python -m tools.build lectures

site: $(VENV)/.installed
	$(BIN)/python -m tools.build site

# Handouts: build/site/handouts/NAME.pdf per deck (public) and build/lecturer/handouts/NAME.pdf
# per lecture deck (the lecturer's: its answer slides), three slides an A4 page with ruled
# lines for notes (12 mm margins), printed from the decks by headless Chromium (needs the
# browser extra and Debian's chromium; offline); then the site again, so that its index links them.
handouts: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[browser]"
	$(BIN)/python -m tools.build handouts
	$(BIN)/python -m tools.build lecture-handouts
	$(BIN)/python -m tools.build site

# The lecturer's copy of the notebooks (build/lecturer/notebooks, never committed): the
# notebooks with the speaker notes of lecturer/notes merged back, for RISE in JupyterLab
# (open one, start the slideshow, press t for the speaker notes).
lecturer: $(VENV)/.installed
	$(BIN)/python -m tools.lecturer build

# Every edition, then a check by content that each has what is its reader's and nothing else:
#   learner   notebooks/ as committed (JupyterLab, Binder, Colab): no speaker notes
#   lecturer  build/lecturer/notebooks (RISE) and build/slides (decks, speaker view): every note
#   public    build/site: the learner's edition as web pages, worked answers folded away
#   student   build/student: no notes, no solutions, no LECTURERS.md, a README for students
editions: $(VENV)/.installed
	$(BIN)/python -m tools.lecturer check
	$(BIN)/python -m tools.lecturer build
	$(BIN)/python -m tools.build slides
	$(BIN)/python -m tools.build site
	$(BIN)/python -m tools.student
	$(BIN)/python -m tools.lecturer audit --lecturer build/lecturer/notebooks --decks build/slides \
		--site build/site --student build/student

clean:
	rm -rf $(VENV) build .pytest_cache

# The classroom kit (LECTURERS.md, "Running the course in a class").
#   make student                     build/student: every notebook without its solutions
#   make release NB=04               notebook 04's exercises as an assignment in build/classroom
#   make grade ASSIGNMENT=04_where_adam_fails   grade build/classroom/submitted/*/ASSIGNMENT/
.PHONY: student release grade
student: $(VENV)/.installed
	$(BIN)/python -m tools.student

release: $(VENV)/.installed
	$(BIN)/python -m tools.grade release $(NB)

grade: $(VENV)/.installed
	$(BIN)/python -m tools.grade autograde $(ASSIGNMENT)
