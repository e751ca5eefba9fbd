"""The explorer's controls: sliders, buttons and boxes (ipywidgets 7.7 and 8), checked
against their ranges, laid out, and readable as one ``settings()`` dict.

Every control is a standard widget that works from the keyboard: Tab moves between them,
the arrow keys, Page Up/Down, Home and End move a slider, Space ticks a box, Enter or
Space presses a button, the arrow keys choose in a drop-down. Each carries its label
(``description``) and a CSS class ``amslib-explorer-<name>`` (the browser test's handle).
"""
from __future__ import annotations

import math

import ipywidgets as W

from ..validation import check_count, invalid, real_number
from .runs import OPTIMIZERS, SCHEDULES

#: The choices of the "steps" control (label, value).
STEP_CHOICES = [("10^3", 10**3), ("10^4", 10**4), ("10^5", 10**5), ("10^6 (~1/4 s)", 10**6),
                ("10^7 (seconds)", 10**7)]
#: The ranges of the numeric controls (sliders; period is an IntSlider, 2 .. 1000).
RANGES = {"beta1": (0.0, 0.999), "beta2": (0.5, 0.9999), "alpha": (1e-3, 10.0),
          "C": (10.0, 1e5), "p": (1e-4, 0.5)}
#: The most steps the explorer accepts: each redraw reruns every shown optimizer, at
#: ~30 ns a step (benchmarks/bench_synthetic.py): 10^7 steps are ~1/3 s a run, 10^8 would
#: be several seconds for each slider move (a slider would stop answering).
MAX_EXPLORER_STEPS = 10**7


def _slider() -> dict:   # common arguments; a Layout of its own for each control
    return dict(continuous_update=False, style={"description_width": "initial"},
                layout=W.Layout(width="400px"))


class ExplorerControls:
    """The widgets (``self.widgets``: name -> control) and their layout (``self.box``)."""

    def __init__(self, beta1, beta2, alpha, schedule, problem, C, period, p, steps, optimizers):
        given = dict(beta1=beta1, beta2=beta2, alpha=alpha, C=C, p=p)
        for name, (lo, hi) in RANGES.items():  # a number first (the widgets' own errors are obscure)
            given[name] = real_number(given[name], name, f"a number in the explorer's range {lo:g} .. {hi:g}")
        beta1, beta2, alpha, C, p = (given[k] for k in ("beta1", "beta2", "alpha", "C", "p"))
        period = check_count(period, "period", 2, 1000)
        if isinstance(optimizers, (str, bytes)) or not hasattr(optimizers, "__iter__"):
            raise invalid("optimizers", optimizers, f"a list of some of "
                          f"{list(OPTIMIZERS)}")
        optimizers = list(optimizers)
        if not isinstance(schedule, str) or schedule not in SCHEDULES:
            raise invalid(f"schedule {schedule!r}", detail=f"expected one of {sorted(SCHEDULES)}")
        if not isinstance(problem, str) or problem not in ("online", "stochastic"):
            raise invalid(f"problem {problem!r}", detail="expected 'online' or 'stochastic'")
        unknown = {k for k in optimizers if not isinstance(k, str) or k not in OPTIMIZERS}
        if unknown:
            raise invalid("optimizers", detail=f"unknown {sorted(map(repr, unknown))} (expected some of "
                          f"{list(OPTIMIZERS)})")
        steps = check_count(steps, "steps", 1, MAX_EXPLORER_STEPS,
                            "each change of a control reruns every optimizer")
        step_choices = list(STEP_CHOICES)
        if steps not in [v for _, v in step_choices]:
            step_choices.append((f"{steps:,}", int(steps)))
            step_choices.sort(key=lambda item: item[1])
        buttons = {"description_width": "initial", "button_width": "90px"}
        w = self.widgets = {
            "beta1": W.FloatSlider(value=beta1, min=0.0, max=0.999, step=0.001, readout_format=".3f",
                                   description="β₁ (momentum)", **_slider()),
            "beta2": W.FloatSlider(value=beta2, min=0.5, max=0.9999, step=0.0001, readout_format=".4f",
                                   description="β₂ (2nd moment)", **_slider()),
            "alpha": W.FloatLogSlider(value=alpha, base=10, min=-3, max=1, step=0.05,
                                      readout_format=".3g", description="α (step size)", **_slider()),
            "schedule": W.ToggleButtons(options=[("α / √t", "inv_sqrt"), ("constant α", "constant")],
                                        value=schedule, description="schedule", style=buttons),
            "problem": W.ToggleButtons(options=[("online", "online"), ("stochastic", "stochastic")],
                                       value=problem, description="problem", style=buttons),
            "C": W.FloatLogSlider(value=C, base=10, min=1, max=5, step=0.01, readout_format=".4g",
                                  description="C (rare gradient)", **_slider()),
            "period": W.IntSlider(value=period, min=2, max=1000, step=1,
                                  description="period (C every … steps)", **_slider()),
            "p": W.FloatLogSlider(value=p, base=10, min=-4, max=math.log10(0.5), step=0.05,
                                  readout_format=".3g", description="p (probability of C)", **_slider()),
            "steps": W.Dropdown(options=step_choices, value=int(steps), description="steps T",
                                style={"description_width": "initial"}, layout=W.Layout(width="240px")),
        }
        for name, value in (("beta1", beta1), ("beta2", beta2), ("alpha", alpha), ("C", C),
                            ("period", period), ("p", p)):
            self._check_range(name, value)
        for key, (_, _, label) in OPTIMIZERS.items():
            w[key] = W.Checkbox(value=key in optimizers, description=label, indent=False,
                                layout=W.Layout(width="210px"))
        for name, control in w.items():
            control.add_class(f"amslib-explorer-{name}")
        self.show_problem_controls()

    def _check_range(self, name: str, value: float) -> None:
        control = self.widgets[name]
        lo, hi = ((control.base ** control.min, control.base ** control.max)
                  if isinstance(control, W.FloatLogSlider) else (control.min, control.max))
        if not lo * (1 - 1e-12) <= value <= hi * (1 + 1e-12):
            raise invalid(name, detail=f"{value} (the explorer's range is {lo:g} .. {hi:g})")

    def layout(self, *below) -> W.VBox:
        """The controls in two columns (problem; optimizer), the check boxes, then ``below``.
        The order is the keyboard's Tab order."""
        w = self.widgets
        left = W.VBox([w["problem"], w["C"], w["period"], w["p"], w["steps"]])
        right = W.VBox([w["schedule"], w["alpha"], w["beta1"], w["beta2"]])
        checks = W.HBox([w[k] for k in OPTIMIZERS], layout=W.Layout(flex_flow="row wrap"))
        return W.VBox([W.HBox([left, right], layout=W.Layout(flex_flow="row wrap")), checks, *below])

    def observe(self, callback) -> None:
        for control in self.widgets.values():
            control.observe(callback, names="value")

    def settings(self) -> dict:
        """The current values of all controls (name -> value)."""
        return {name: control.value for name, control in self.widgets.items()}

    def selected(self) -> list:
        """The keys of the ticked optimizers, in :data:`OPTIMIZERS` order."""
        return [k for k in OPTIMIZERS if self.widgets[k].value]

    def show_problem_controls(self) -> None:
        """The period for the online problem, the probability for the stochastic one."""
        online = self.widgets["problem"].value == "online"
        self.widgets["period"].layout.display = None if online else "none"
        self.widgets["p"].layout.display = "none" if online else None
