"""Where the course lives: its public address, defined once.

Everything that points at the repository (the Colab and Binder badges in README.md and
in each notebook's navigation bar, the Colab set-up line of every notebook) is generated
from ``REPOSITORY`` and ``BRANCH`` by ``python -m tools.nbtool generate``.

To publish the course (or a fork) at its address, one command rewrites these two lines,
regenerates everything that depends on them and checks the result:

    python -m tools.nbtool publish OWNER/REPO --branch main

Until then the address is a placeholder, deliberately obvious, and README.md says so.
"""
PLACEHOLDER = "YOUR-GITHUB-USER/amsgrad-course"
REPOSITORY = "YOUR-GITHUB-USER/amsgrad-course"  # owner/name on GitHub
BRANCH = "main"

GITHUB_URL = f"https://github.com/{REPOSITORY}"
NOTEBOOK_DIR = "notebooks"
FIRST_NOTEBOOK = "00_start_here.ipynb"
#: Where the set-up cell clones the repository on Google Colab (data/ is found there too).
COLAB_CLONE_DIR = "/content/amsgrad-course"


def colab_url(notebook: str) -> str:
    """Open ``notebooks/<notebook>`` on Google Colab."""
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/{NOTEBOOK_DIR}/{notebook}"


def binder_url(notebook: str = FIRST_NOTEBOOK) -> str:
    """Open ``notebooks/<notebook>`` in JupyterLab on mybinder.org."""
    return f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}?urlpath=lab/tree/{NOTEBOOK_DIR}/{notebook}"


def is_published() -> bool:
    """Whether REPOSITORY is a real address (not the placeholder)."""
    return REPOSITORY != PLACEHOLDER
