# Two commands do all the set-up themselves:
#   make lab    create .venv, install the course into it, open JupyterLab at notebook 00
#   make test   create .venv, install the course and its test tools, run the whole test suite
# Needs only Python >= 3.10 (set PYTHON=python3.12 to choose another interpreter).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Which PyTorch to install. The default takes the newest release from PyPI (on Linux
# that is the CUDA build, several GB). CPU-only Linux machines save most of that with
#   make test TORCH_SPEC="torch --index-url https://download.pytorch.org/whl/cpu"
# (Quoted inside the variable: an unquoted >= would be a shell redirection.)
TORCH_SPEC ?= 'torch>=2.1'

.PHONY: lab test generate execute slides site clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet $(TORCH_SPEC)
	$(BIN)/python -m pip install --quiet -e ".[lab,test]"
	touch $@

# Jupyter refuses to run as root unless told; containers often run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(VENV)/.installed
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb

test: $(VENV)/.installed
	$(BIN)/python -m pytest

# For authors: regenerate navigation, set-up cells and README tables; re-execute notebooks.
generate: $(VENV)/.installed
	$(BIN)/python tools/nbtool.py generate

execute: $(VENV)/.installed
	$(BIN)/python tools/nbtool.py execute

# Slide decks (build/slides, reveal.js, 1280x720) and a static web site (build/site) from
# the executed notebooks; both work offline. See LECTURERS.md.
slides: $(VENV)/.installed
	$(BIN)/python tools/build.py slides

site: $(VENV)/.installed
	$(BIN)/python tools/build.py site

clean:
	rm -rf $(VENV) build .pytest_cache

# The classroom kit (LECTURERS.md, "Running the course in a class").
#   make student                     build/student: every notebook without its solutions
#   make release NB=03               notebook 03's exercises as an assignment in build/classroom
#   make grade ASSIGNMENT=03_online_setting_and_adams_drift   grade build/classroom/submitted/*/ASSIGNMENT/
.PHONY: student release grade
student: $(VENV)/.installed
	$(BIN)/python tools/student.py

release: $(VENV)/.installed
	$(BIN)/python tools/grade.py release $(NB)

grade: $(VENV)/.installed
	$(BIN)/python tools/grade.py autograde $(ASSIGNMENT)
