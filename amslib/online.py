"""Moved to :mod:`amslib.synthetic.online`; this name stays importable (the same module)."""
import sys

from .synthetic import online as _moved

sys.modules[__name__] = _moved
