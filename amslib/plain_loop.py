"""Moved to :mod:`amslib.synthetic.plain_loop`; this name stays importable (the same module)."""
import sys

from .synthetic import plain_loop as _moved

sys.modules[__name__] = _moved
