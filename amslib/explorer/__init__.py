"""An interactive explorer for the synthetic problems of Reddi, Kale and Kumar (2018).

    from amslib.widgets import explore
    explorer = explore()            # displays the controls and the figure

Sliders and buttons set beta_1, beta_2, the step size alpha and its schedule (constant or
alpha / sqrt(t)), the problem (online: g_t = C every ``period`` steps, else c; stochastic:
g_t = C with probability p, else c), the number of steps and which optimizers to show
(Adam and AMSGrad, each in the paper's form, without bias correction, or PyTorch's, with
it). Every change re-runs :func:`amslib.synthetic.run` and redraws two panels: the
iterate x_t and the average regret R_t / t. Every control works from the keyboard (Tab,
arrows, Home/End, Space, Enter).

One module a job: :mod:`.controls` (the widgets and their layout), :mod:`.runs` (problem,
optimizers, remembered runs), :mod:`.figure` (the fast two-panel figure) and :mod:`.widget`
(:class:`Explorer`, which connects them: a change of a control -> runs -> figure -> message).

How it is shown, so that it works in JupyterLab 4, Notebook 7, VS Code and Colab
(ipywidgets 8 or 7.7) without ipympl: the figure is PNG bytes in an ``ipywidgets.Image``.
Where no widget front end runs (nbval, a static HTML export, GitHub), the explorer's
display falls back to a PNG of the figure and a fixed line of text. Only widget APIs that
ipywidgets 7.7 and 8 share are used (sliders, Dropdown, ToggleButtons, Checkbox,
HBox/VBox, Image, HTML, Layout, ``observe(names="value")``).
"""
from .controls import STEP_CHOICES
from .runs import OPTIMIZERS
from .widget import TEXT_PLAIN, Explorer, explore

__all__ = ["Explorer", "explore", "OPTIMIZERS", "TEXT_PLAIN", "STEP_CHOICES"]
