"""Moved to :mod:`amslib.synthetic.scan`; this name stays importable (the same module)."""
import sys

from .synthetic import scan as _moved

sys.modules[__name__] = _moved
