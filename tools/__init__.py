"""The course's build, grading and publishing tools, run from the repository root as modules:
``python -m tools.nbtool generate``, ``python -m tools.build site``, ``python -m tools.grade release``.

One module per job (notebooks, slides, decks, site pages, lecturer edition, student edition, grading,
lock file); they import each other as ``from tools import slides``. ``grade_kernel.py`` is the one
script: the grader runs it by path inside its sandbox, next to a copy of ``grade_codec.py``.
"""
