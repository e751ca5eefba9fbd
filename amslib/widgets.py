"""The interactive explorer of the synthetic problems, under the name the notebooks use::

    from amslib.widgets import explore
    explorer = explore()            # displays the controls and the figure

It lives in the package :mod:`amslib.explorer` (controls, runs, figure, and the widget
that connects them); this module is its public name.
"""
from .explorer import OPTIMIZERS, STEP_CHOICES, TEXT_PLAIN, Explorer, explore

__all__ = ["Explorer", "explore", "OPTIMIZERS", "TEXT_PLAIN", "STEP_CHOICES"]
