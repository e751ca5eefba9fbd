"""Moved to :mod:`amslib.synthetic.fast_adam`; this name stays importable (the same module)."""
import sys

from .synthetic import fast_adam as _moved

sys.modules[__name__] = _moved
