"""Check your understanding: short questions after the theory sections, checked at once.

The exercises at the end of a notebook ask for work; these questions ask for one number or
one letter, right after the section that explains it, so that a learner alone finds out at
once whether the section went in. In a notebook:

    from amslib.exercises import selfcheck

    answer = None  # your answer
    selfcheck.check("bias-first-ratio", answer)

Each question has a key (a short name that stays when notebooks are renumbered), the
question as the notebook prints it, the expected answer, the reason (shown with
"Correct!"), and a hint for each common wrong answer. Like the exercise checkers, ``check``
prints "Not attempted yet" for ``None``, "Correct!" or "Not yet:" with a hint, returns True
or False, and never raises on an odd answer. ``selfcheck.answer(key)`` prints the answer
and its reason, for a learner who is stuck.

Two kinds of question:
- :class:`Number`: a number, accepted within a relative tolerance ``rel_tol``;
- :class:`Choice`: one of the lettered options, answered as a string such as ``"b"``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from . import failed, letter_answer, not_attempted, number, passed, show, tol

__all__ = ["Number", "Choice", "QUESTIONS", "check", "answer", "tells"]


@dataclass(frozen=True)
class Number:
    """A question whose answer is a number.

    ``mistakes`` maps common wrong answers to their hints; an answer within ``rel_tol`` (or
    ``abs_tol``) of ``value`` is correct, one within the same tolerance of a mistake gets
    that mistake's hint, anything else gets ``hint``.
    """
    question: str
    value: float
    why: str
    hint: str
    mistakes: tuple[tuple[float, str], ...] = ()
    rel_tol: float = 0.01
    abs_tol: float = 0.0

    def close(self, a: float, b: float) -> bool:
        return math.isclose(a, b, rel_tol=tol(self.rel_tol), abs_tol=self.abs_tol)

    def judge(self, given) -> bool:
        value = number(given)
        if value is None:
            return False
        if self.close(value, self.value):
            return passed(self.why)
        for wrong, hint in self.mistakes:
            if self.close(value, wrong):
                return failed(hint)
        if self.value != 0 and self.close(-value, self.value):
            return failed("the size is right, the sign is not: the question asks for "
                          f"{'a positive' if self.value > 0 else 'a negative'} number.")
        return failed(self.hint)

    def solution(self) -> str:
        return f"{self.value:g}"


@dataclass(frozen=True)
class Choice:
    """A question with lettered options; ``hints`` has a hint for every wrong letter."""
    question: str
    options: dict[str, str]
    correct: str
    why: str
    hints: dict[str, str] = field(default_factory=dict)
    #: regular expressions of sentences that state the answer, for options that words cannot
    #: tell apart (symbols such as "-1 and +1", or the order of quantifiers) or that the text
    #: names without giving the answer (an experiment, a library); given, they replace the
    #: distinctive-word rule; see :func:`tells`
    tells: tuple[str, ...] = ()

    def letters(self) -> str:
        return ", ".join(f'"{k}"' for k in self.options)

    def judge(self, given) -> bool:
        if not isinstance(given, str):
            return failed(f"answer with one letter as a string: {self.letters()}.")
        key = letter_answer(given, self.options)   # "b", "(b)", "b: never negative", the words ...
        if key is None:
            return failed(f"answer with one of the letters {self.letters()} (got {show(given)}).")
        if key == self.correct:
            return passed(self.why)
        if key in self.hints:
            return failed(self.hints[key])
        return failed(f"answer with one of the letters {self.letters()}.")

    def solution(self) -> str:
        return f'"{self.correct}" ({self.options[self.correct]})'


QUESTIONS: dict[str, Number | Choice] = {
    # ------------------------------------------------------------------ 00 start here
    "loss-revealed": Choice(
        "In the paper's setting, when does the optimizer learn the loss f_t of step t?",
        {"a": "before it chooses x_t", "b": "after it has chosen x_t", "c": "only after the last step T"},
        "b",
        "it commits to x_t first; then f_t is revealed, it pays f_t(x_t) and uses g_t for x_{t+1}.",
        {"a": "if it knew f_t first it could simply pick the minimiser of f_t; the point of the "
              "setting is that x_t is chosen without knowing f_t.",
         "c": "it sees f_t (through g_t) right after paying f_t(x_t), and uses it to choose x_{t+1}."},
    ),
    "regret-two-steps": Number(
        "Over two steps the optimizer paid f_1(x_1) + f_2(x_2) = 3; the best fixed point of F "
        "would have paid f_1(x*) + f_2(x*) = 1. What is the regret R_2?",
        2.0,
        "R_2 = 3 - 1 = 2: what was paid, minus what the best fixed point would have paid.",
        "regret = the total loss paid minus the total loss of the best fixed point.",
        ((4.0, "regret subtracts the best point's loss; it does not add it."),
         (-2.0, "the other way round: the optimizer's loss minus the best point's loss."),
         (3.0, "that is the loss paid; regret compares it with the best fixed point's.")),
    ),
    # ------------------------------------------------------------------ 01 gradient descent ... RMSProp
    "gd-factor": Number(
        "Gradient descent with alpha = 0.09 on f(x) = (x_1^2 + 20 x_2^2)/2: by what factor is the "
        "steep coordinate x_{t,2} multiplied at every step?",
        -0.8,
        "1 - alpha b = 1 - 0.09 * 20 = -0.8: it flips sign at every step but shrinks.",
        "x_{t+1,2} = x_{t,2} - alpha * b * x_{t,2}: the factor is 1 - alpha b, with b = 20.",
        ((0.91, "0.91 = 1 - alpha a is the flat coordinate's factor; the steep one has b = 20."),
         (0.8, "check the sign: 1 - 0.09 * 20 = 1 - 1.8."),
         (1.8, "that is alpha b; the factor is 1 - alpha b.")),
    ),
    "ema-memory": Number(
        "A moving average with beta = 0.99: about how many steps does it remember?",
        100.0,
        "1/(1 - beta) = 1/0.01 = 100 steps.",
        "the memory is roughly 1/(1 - beta) steps.",
        ((0.01, "0.01 = 1 - beta is the weight of the newest value; the memory is its inverse."),
         (10.0, "10 steps is the memory for beta = 0.9; here beta = 0.99.")),
        rel_tol=0.05,
    ),
    "adagrad-effective-step": Number(
        "AdaGrad with alpha = 1: one coordinate has seen the gradients 3 and then 4. What is its "
        "effective step size after these two gradients?",
        0.2,
        "alpha / sqrt(25) = 1/5 = 0.2; written as alpha_t / sqrt(v_t) it is the same, since the sqrt(t) cancel.",
        "the effective step is alpha / sqrt(G_t): take the square root of the sum of squares.",
        ((0.04, "1/25 forgets the square root: AdaGrad divides by sqrt(G_t)."),
         (1 / math.sqrt(12.5), "with v_t = G_t/t you must also use alpha_t = alpha/sqrt(t): the sqrt(t) cancel."),
         (1 / 7, "G_t sums the squared gradients, 9 + 16, not the gradients.")),
    ),
    "rmsprop-constant-step": Choice(
        "RMSProp with a constant alpha, close to the minimum of the quadratic: what happens?",
        {"a": "it settles at the minimum, as gradient descent does",
         "b": "it keeps hovering around the minimum",
         "c": "it diverges"},
        "b",
        "g_t / sqrt(v_t) stays of order one even as g_t -> 0, so the steps stay about alpha long; "
        "a decaying alpha_t = alpha/sqrt(t) is what lets an adaptive method settle.",
        {"a": "gradient descent's steps shrink with the gradient; RMSProp divides the gradient by "
              "the root of its own recent squares. What size does g_t / sqrt(v_t) have as g_t -> 0?",
         "c": "the steps stay about alpha long, they do not grow: nothing blows up."},
    ),
    # ------------------------------------------------------------------ 02 Adam from scratch
    "adam-v-update": Number(
        "Adam with beta_2 = 0.99 has v_{t-1} = 1 in one coordinate, and the next gradient there "
        "is g_t = 10. What is v_t?",
        0.99 * 1.0 + 0.01 * 10.0**2,
        "v_t = 0.99 * 1 + 0.01 * 10^2 = 0.99 + 1 = 1.99: the gradient enters squared, with the "
        "weight 1 - beta_2, so one large gradient almost doubles v_t.",
        "v_t = beta_2 v_{t-1} + (1 - beta_2) g_t^2: the old value weighted by beta_2, the squared "
        "gradient by 1 - beta_2.",
        ((0.99 * 1.0 + 0.01 * 10.0, "g_t enters v_t squared: the new term is (1 - beta_2) g_t^2, "
                                    "not (1 - beta_2) g_t."),
         (0.01 * 1.0 + 0.99 * 10.0**2, "the weights are the other way round: beta_2 = 0.99 on the "
                                       "old v_{t-1}, 1 - beta_2 = 0.01 on g_t^2."),
         (1.0 + 10.0**2, "v_t is a moving average, not a sum: weight v_{t-1} by beta_2 and g_t^2 "
                         "by 1 - beta_2.")),
        rel_tol=1e-3,
    ),
    "constant-gradient-corrected": Number(
        "The constant-gradient experiment with g = 5 instead of 1 (beta_1 = 0.9): what is the "
        "corrected m~_3?",
        5.0,
        "m_3 = (1 - 0.9^3) * 5 = 1.355, and the correction divides by exactly 1 - 0.9^3: m~_3 = 5, "
        "the true gradient, from the first step on.",
        "m~_3 = m_3 / (1 - beta_1^3); with g = 5 every raw m_t is 5 times the table's.",
        ((1.355, "1.355 is the raw m_3 = (1 - 0.9^3) * 5; the corrected moment divides it by "
                 "1 - beta_1^3."),
         (0.271, "0.271 is the table's raw m_3, for g = 1; here g = 5, and the question asks for "
                 "the corrected moment."),
         (1.0, "1 is the table's corrected value for g = 1: the corrected moment is the gradient "
               "itself, and here g = 5.")),
    ),
    "bias-first-ratio": Number(
        "beta_1 = 0.8 (not the table's 0.9), beta_2 = 0.999, no bias correction: how large is "
        "m_1 / sqrt(v_1) (whatever g_1 > 0 is)?",
        0.2 / math.sqrt(0.001),
        "m_1 = 0.2 g_1 and v_1 = 0.001 g_1^2, so m_1/sqrt(v_1) = 0.2/sqrt(0.001) = 6.32: the "
        "first step is 6.32 alpha long. With the correction it is 1.",
        "m_1 = (1 - beta_1) g_1 and v_1 = (1 - beta_2) g_1^2; divide the first by the root of the second.",
        ((1.0, "1 is the corrected ratio; without correction m_1 = 0.2 g_1 and v_1 = 0.001 g_1^2."),
         (200.0, "0.2/0.001 forgets the square root of v_1."),
         (0.1 / math.sqrt(0.001), "3.16 is the table's first row, for beta_1 = 0.9; here beta_1 = 0.8, "
                                   "so m_1 = 0.2 g_1."),
         (math.sqrt(0.001) / 0.2, "upside down: divide m_1 = 0.2 g_1 by sqrt(v_1) = sqrt(0.001) g_1.")),
    ),
    "bias-how-long": Number(
        "beta_2 = 0.999: from which step t on is the correction factor 1/(1 - beta_2^t) below "
        "1.01 (within one per cent of no correction)? A whole number of steps, roughly.",
        math.log(0.01 / 1.01) / math.log(0.999),
        "1 - 0.999^t >= 1/1.01 needs 0.999^t <= 0.0099, t >= ln(0.0099)/ln(0.999), about 4600 "
        "steps: thousands of steps, not tens.",
        "solve 1/(1 - 0.999^t) < 1.01 for t: take logarithms of 0.999^t <= 1 - 1/1.01.",
        ((1000.0, "1000 = 1/(1 - beta_2) is the memory; after 1000 steps 0.999^1000 = 0.37 and the "
                  "factor is still 1.58."),
         (44.0, "that is the answer for beta_1 = 0.9; here beta_2 = 0.999.")),
        rel_tol=0.05,
    ),
    "first-step-scale": Number(
        "Adam (with bias correction, eps = 1e-8, alpha = 0.01) takes its first step. One coordinate "
        "has gradient 1e6, another 1e-6. How far does the first coordinate move?",
        0.01,
        "alpha |g_1| / (|g_1| + eps) = 0.01 for both coordinates: the first step ignores the gradient's scale.",
        "after correction m~_1 = g_1 and v~_1 = g_1^2: the step is alpha g_1 / (|g_1| + eps).",
        ((1e4, "that would be gradient descent, alpha g_1; Adam divides by sqrt(v~_1) = |g_1|."),
         (3.16e-2, "that is the step without bias correction (3.16 alpha); this Adam corrects."),
         (-0.01, "the coordinate moves by -0.01, against its positive gradient; 'how far' asks for "
                 "the distance, a positive number.")),
        rel_tol=1e-3,
    ),
    "projection-clip": Number(
        "The paper's Adam works on F = [-1, 1]. At x_t = 0.9 its update gives 0.9 + 0.8 = 1.7. "
        "What is x_{t+1} after the projection?",
        1.0,
        "Pi_F(1.7) = 1: on an interval, projection clips to the nearest end.",
        "projection returns the point of F = [-1, 1] nearest to 1.7.",
        ((1.7, "1.7 is outside F = [-1, 1]: the projection brings it back into F."),
         (-1.0, "the nearest point of F, not the opposite end."),
         (0.9, "the step is taken, then clipped: the iterate does not stay where it was.")),
    ),
    # ------------------------------------------------------------------ 03 the online setting and Adam's drift
    "regret-three-steps": Number(
        "Linear losses f_t(x) = g_t x on [-1, 1] with g = (2, -1, 1), and an optimizer that stays at "
        "x_t = 0 for all three steps. What is its regret R_3?",
        2.0,
        "it paid 0; the best fixed point, x = -1, pays -(2 - 1 + 1) = -2, so R_3 = 0 - (-2) = 2.",
        "regret = what the optimizer paid (here 0) minus what the best fixed point of [-1, 1] pays on "
        "all three losses together.",
        ((4.0, "that compares with the best point of each step separately (-2, -1, -1); regret compares "
               "with one point kept for all three steps."),
         (-2.0, "the sign: the optimizer's loss minus the best fixed point's, 0 - (-2)."),
         (0.0, "0 is what the optimizer paid; subtract what the best fixed point would have paid.")),
    ),
    "projection-box": Choice(
        "On the square F = [-1, 1]^2 an update lands at y = (1.5, -0.3), with v_t = (100, 0.01). "
        "Where does the paper's weighted projection Pi_{F, sqrt(V_t)} put it?",
        {"a": "at (1, -0.3)", "b": "at (0.98, -0.20), y scaled back to length 1",
         "c": "it depends on v_t: the coordinate with the larger v_t moves less"},
        "a",
        "on a box the weighted distance is a sum over the coordinates, each with its own range, so "
        "each coordinate is clipped on its own, whatever the weights: (1.5, -0.3) -> (1, -0.3).",
        {"b": "scaling y back to length 1 projects onto the unit disc; F = [-1, 1]^2 is a square, "
              "and -0.3 is already inside [-1, 1].",
         "c": "on a box each coordinate is clipped on its own, so the weights V_t^(1/4) change "
              "nothing; they matter only for sets that are not boxes."},
    ),
    "convex-which": Choice(
        "Which of these losses is convex on [-1, 1]?",
        {"a": "f(x) = -x^2", "b": "f(x) = 3x", "c": "f(x) = sin(3x)"},
        "b",
        "a linear function is convex: its chords lie on its graph.",
        {"a": "-x^2 is a hill: its chords lie below its graph, not above.",
         "c": "sin(3x) goes up and down on [-1, 1]: some chords cut below the graph."},
    ),
    "effective-step-after-spike": Choice(
        "After one large gradient Adam meets many small ones. With a constant alpha, what does its "
        "effective step alpha / sqrt(v_t) do during those steps?",
        {"a": "it shrinks", "b": "it grows", "c": "it stays the same"},
        "b",
        "v_t decays by the factor beta_2 at every small gradient, so alpha / sqrt(v_t) grows: Adam's "
        "effective step is allowed to grow, AdaGrad's and AMSGrad's are not.",
        {"a": "that is AdaGrad, whose sum G_t only grows; Adam's v_t is a moving average. What does it "
              "do when the gradients are small?",
         "c": "v_t keeps changing: each step it moves a fraction 1 - beta_2 towards g_t^2."},
    ),
    "stochastic-mean-gradient": Number(
        "In the stochastic version of the problem, g_t = 1010 with probability 0.01 and -10 "
        "otherwise. What is the expected gradient E[g_t]?",
        0.01 * 1010.0 + 0.99 * (-10.0),
        "E[g_t] = 0.01 * 1010 + 0.99 * (-10) = 10.1 - 9.9 = 0.2 > 0: on average the loss increases "
        "with x, so the best point is x = -1 here too.",
        "E[g_t] weights each value by its probability: 0.01 for 1010, 0.99 for -10.",
        ((10.0 / 101.0, "10/101 is the deterministic problem's mean over one period; here the spike "
                        "comes with probability 0.01 and -10 with probability 0.99."),
         (10.0, "10 is the deterministic problem's sum over one period of 101 steps; E[g_t] is the "
                "mean of one step."),
         (10.1, "10.1 is the spike's part alone, 0.01 * 1010; add the small gradient's part."),
         (-9.9, "-9.9 is the small gradient's part alone, 0.99 * (-10); add the spike's part."),
         (500.0, "(1010 - 10)/2 weights both values equally; weight them by their probabilities, "
                 "0.01 and 0.99.")),
        rel_tol=1e-3,
    ),
    "spike-step-length": Number(
        "Adam with beta_1 = 0, beta_2 = 0.999 (the default, not the experiment's 0.99) and no "
        "correction meets the gradient C = 1010 with v_{t-1} = 0, as at the first step. How many "
        "alpha_t long is its step?",
        1.0 / math.sqrt(1.0 - 0.999),
        "v_t = (1 - beta_2) C^2 = 0.001 C^2, so sqrt(v_t) = 0.0316 C and the step is "
        "alpha_t C / (0.0316 C) = alpha_t / sqrt(1 - beta_2) = 31.6 alpha_t: the size of C cancels.",
        "the step is alpha_t g_t / sqrt(v_t), with v_t = beta_2 v_{t-1} + (1 - beta_2) g_t^2 and "
        "v_{t-1} = 0.",
        ((10.0, "10 alpha_t is the step for beta_2 = 0.99, the experiment's value; here beta_2 = 0.999."),
         (1000.0, "1000 = 1/(1 - beta_2) forgets the square root: sqrt(v_t) = sqrt(0.001) C."),
         (1.0, "sqrt(v_t) is not C: v_t holds only (1 - beta_2) C^2, so C is divided by sqrt(0.001) C."),
         (math.sqrt(1.0 - 0.999), "upside down: the step is C / sqrt(v_t) = 1 / sqrt(1 - beta_2) "
                                  "times alpha_t."),
         (1010.0, "Adam divides the gradient by sqrt(v_t); 1010 alpha_t would be gradient "
                  "descent's step."),
         (-1.0 / math.sqrt(1.0 - 0.999), "that is the step itself, towards -1; the question asks "
                                         "for its length.")),
        rel_tol=1e-3,
    ),
    "tally-direction": Choice(
        "In the tally of one period, what makes Adam's 100 small steps add up to more than the spike's "
        "step?",
        {"a": "together the small gradients are larger than the spike",
         "b": "what they are divided by",
         "c": "the bias correction enlarges the later steps"},
        "b",
        "each small gradient is divided by a sqrt(v_t) that shrinks as the spike is forgotten.",
        {"a": "together they are 100 * 10 = 1000, less than the spike's 1010; it is what they are "
              "divided by that differs.",
         "c": "the tally has no bias correction at all (the paper's form)."},
    ),
    # ------------------------------------------------------------------ 04 the theorems and Figure 1
    "regret-sqrt-average": Choice(
        "Which regret means that the method does, on average, as well as the best fixed point "
        "(R_T / T -> 0)?",
        {"a": "R_T = 0.01 T", "b": "R_T = 100 sqrt(T)", "c": "R_T = T / 2"},
        "b",
        "R_T / T = 100 / sqrt(T) -> 0: a regret that grows like sqrt(T) is O(sqrt(T)), however "
        "large the constant.",
        {"a": "R_T / T = 0.01 for every T: small, but it never goes to 0. A regret in proportion to "
              "T is what the theorems build for Adam.",
         "c": "R_T / T = 1/2 for every T: the average regret stays away from 0."},
    ),
    "online-to-batch": Number(
        "The losses are drawn independently from one distribution with mean F, and a method's "
        "expected regret is E[R_T] = 20 sqrt(T). After T = 10,000 steps, at most how far above "
        "min F is E[F(x_bar_T)], for the average iterate x_bar_T?",
        0.2,
        "E[R_T] / T = 20 * 100 / 10000 = 0.2: online-to-batch conversion divides the regret by T.",
        "the guarantee is E[F(x_bar_T)] - min F <= E[R_T] / T: compute E[R_T] = 20 sqrt(T) at "
        "T = 10,000, then divide by T.",
        ((2000.0, "2000 is E[R_T] itself; the guarantee for the average iterate divides it by T."),
         (0.002, "20 / T forgets the sqrt(T) in E[R_T] = 20 sqrt(T) = 2000."),
         (20.0, "20 is E[R_T] / sqrt(T); the guarantee divides by T, not by sqrt(T).")),
    ),
    "theorem2-quantifiers": Choice(
        "What does Theorem 2 say?",
        {"a": "one problem defeats Adam for every pair beta_1 < sqrt(beta_2)",
         "b": "for every pair beta_1 < sqrt(beta_2) there is a problem that defeats Adam",
         "c": "Adam fails on every problem when beta_1 < sqrt(beta_2)"},
        "b",
        "for each pair there is some problem (its period C depends on the pair); the order of the "
        "quantifiers matters.",
        {"a": "the order of the quantifiers is the other way round: the problem is chosen after the pair.",
         "c": "Adam works on many problems; the theorem only says that some problem defeats it."},
        tells=(r"\bfor \W*(any|every|each)\b\W[^.]{0,160}?\bthere (is|exists)\b",),
    ),
    "gamma-sign": Number(
        "Gamma_{t+1} = sqrt(v_{t+1})/alpha_{t+1} - sqrt(v_t)/alpha_t with a constant alpha, beta_2 = 0.99, "
        "v_t = 10000 and g_{t+1} = -10. What is Gamma_{t+1}, in units of 1/alpha?",
        math.sqrt(0.99 * 10000 + 0.01 * 100) - 100.0,
        "v_{t+1} = 0.99 * 10000 + 0.01 * 100 = 9901, sqrt = 99.50: Gamma = 99.50 - 100 = -0.50 < 0, "
        "the effective step grew.",
        "first v_{t+1} = beta_2 v_t + (1 - beta_2) g_{t+1}^2, then the difference of the square roots.",
        ((-(math.sqrt(0.99 * 10000 + 0.01 * 100) - 100.0), "the sign: v decreased, so Gamma is negative."),
         (9901.0 - 10000.0, "Gamma takes the square roots of v_{t+1} and v_t before subtracting.")),
    ),
    "theorem1-which-point": Choice(
        "Gradients 3, -1, -1, 3, -1, -1, ... on [-1, 1]: which point minimises the regret, and which "
        "point will Adam (with Theorem 1's beta_2) choose?",
        {"a": "-1 and -1", "b": "-1 and +1", "c": "+1 and -1", "d": "+1 and +1"},
        "b",
        "per period the gradients add up to 3 - 1 - 1 = +1, so the best fixed point is -1; Adam "
        "normalises the 3 away and drifts to +1.",
        {"a": "-1 is the best point; but Theorem 1 is a counterexample: where does Adam end?",
         "c": "add the gradients of one period: 3 - 1 - 1 = +1 > 0, so the loss grows with x.",
         "d": "the loss of a fixed x over a period is (3 - 1 - 1) x = x: least at x = -1."},
        tells=(r"(optimum|best (fixed )?point|minimi[sz]\w*)\W[^.]{0,40}?x\s*=\s*-\s*1\b",
               r"\bAdam\b[^.]{0,60}?\bx\s*=\s*\+\s*1\b"),
    ),
    # ------------------------------------------------------------------ 05 AMSGrad from scratch
    "amsgrad-one-line": Choice(
        "AMSGrad changes one line of Adam. Which one?",
        {"a": "the first moment m_t", "b": "the denominator sqrt(v_t)",
         "c": "the bias correction", "d": "the projection onto F"},
        "b",
        "it divides by the root of the running maximum v_hat_t, so the effective step never grows.",
        {"a": "m_t is the same moving average of the gradients as in Adam.",
         "c": "where the bias correction goes is a separate choice on which libraries differ; the "
              "paper's AMSGrad has none.",
         "d": "both project onto F in the paper; the change is in what the step divides by."},
    ),
    "amsgrad-gamma": Number(
        "As in notebook 04: constant alpha, beta_2 = 0.99, v_t = 10000 = v_hat_t, and a small gradient "
        "g_{t+1} = -10. What is AMSGrad's Gamma_{t+1}, in units of 1/alpha?",
        0.0,
        "v_hat_{t+1} = max(10000, 9901) = 10000: Gamma = 100 - 100 = 0. AMSGrad's effective step does "
        "not grow.",
        "AMSGrad's Gamma uses v_hat: first v_hat_{t+1} = max(v_hat_t, v_{t+1}), then the difference of "
        "the square roots.",
        ((math.sqrt(9901.0) - 100.0, "that is Adam's Gamma, with v_{t+1}; AMSGrad uses "
                                     "v_hat_{t+1} = max(v_hat_t, v_{t+1})."),
         (-99.0, "that is 9901 - 10000 without square roots, and with Adam's v_{t+1}.")),
        abs_tol=1e-3,
    ),
    "amsgrad-forms-max": Choice(
        "With beta_2 = 0.999, a burst of large gradients at steps 1-5 and small ones after: in which "
        "form does the maximum still hold about the burst's g^2 itself at step 1000, rather than "
        "a tiny fraction of it?",
        {"a": "the paper's (Algorithm 2)", "b": "PyTorch's", "c": "Optax's", "d": "Keras's"},
        "c",
        "Optax corrects v_t before the maximum; PyTorch and Keras take the maximum of the raw v_t, "
        "and the paper's form has no correction at all.",
        {"a": "the paper's Algorithm 2 has no bias correction at all: its maximum is of the raw v_t.",
         "b": "PyTorch takes the maximum of the raw v_t and corrects it afterwards, with the "
              "current t.",
         "d": "Keras takes the maximum of the raw v_t; it puts the correction into the step size."},
    ),
    # ------------------------------------------------------------------ 06 what the paper proves
    "useless-bound": Choice(
        "On F = [-1, 1] with gradients at most G_inf = 1010 (d = 1, D_inf = 2) every method has "
        "R_T <= 2020 T. A regret bound for some method says R_T <= 3000 T. What does it promise?",
        {"a": "R_T / T -> 0", "b": "nothing",
         "c": "that the method loses at least 3000 per step"},
        "b",
        "3000 T is more than the trivial d G_inf D_inf T = 2020 T: a useful bound must be smaller, "
        "and grow more slowly than T.",
        {"a": "R_T / T <= 3000 for every T: the bound does not even fall, let alone go to 0; it "
              "would have to grow more slowly than T.",
         "c": "a bound is an upper limit: it says 'at most', never 'at least'."},
    ),
    "theorem4-constant-beta1": Choice(
        "The paper's experiments, the libraries and notebook 05 run AMSGrad with a constant "
        "beta_1 = 0.9. What does Theorem 4 guarantee for those runs?",
        {"a": "R_T = O(sqrt(T log T)), so R_T / T -> 0",
         "b": "nothing",
         "c": "convergence, but only if beta_2 >= 0.999"},
        "b",
        "the middle term is at most a constant times sum_t beta_1t sqrt(t): with beta_1t = beta_1 that "
        "grows like T^(3/2), so the bound exceeds the trivial d G_inf D_inf T and promises nothing.",
        {"a": "that is Corollary 1, which needs a decaying beta_1t = beta_1 lambda^(t-1); look at the "
              "middle term with a constant beta_1.",
         "c": "no threshold on beta_2 appears in Theorem 4: beta_2 enters its bound through the "
              "hypothesis gamma = beta_1 / sqrt(beta_2) < 1 (which (0.9, 0.99) meets), through the factor "
              "1/sqrt(1 - beta_2) of the last term and through v_hat_t, and none of them asks for "
              "beta_2 >= 0.999; the trouble is the middle term."},
    ),
    "proof-gap-when": Choice(
        "Tran and Phong's gap: the proof needs the weights sqrt(v_hat_t) / (alpha_t (1 - beta_1t)) "
        "never to decrease. When can they decrease for AMSGrad?",
        {"a": "with a constant beta_1", "b": "with a decaying beta_1t",
         "c": "only with bias correction"},
        "b",
        "a decaying beta_1t makes 1/(1 - beta_1t) decrease, which can outweigh the growth of "
        "sqrt(v_hat_t)/alpha_t: exactly Corollary 1's setting.",
        {"a": "with a constant beta_1 the factor 1/(1 - beta_1) is the same at every step, and "
              "sqrt(v_hat_t)/alpha_t never decreases (Gamma_t >= 0).",
         "c": "the paper's AMSGrad has no bias correction; the culprit is the factor 1/(1 - beta_1t). "
              "(Bias-corrected denominators can shrink with a constant step, as 05 showed, but not "
              "under the theorem's alpha_t = alpha / sqrt(t).)"},
    ),
    "adamnc-average": Number(
        "AdamNC, with beta_2t = 1 - 1/t, sees the gradients g_1 = 3, g_2 = 0, g_3 = 0 in one "
        "coordinate. What is its v_3?",
        3.0,
        "v_t is the average of the squared gradients so far: (9 + 0 + 0) / 3 = 3.",
        "with beta_2t = 1 - 1/t, v_t = (1/t) (g_1^2 + ... + g_t^2): the plain average of the squared "
        "gradients.",
        ((9.0, "9 is g_1^2, v_1 (or the running maximum, AMSGrad's v_hat); AdamNC averages, so later "
               "zeros pull v_t down."),
         (1.0, "1 is the average of the gradients (3 + 0 + 0) / 3; v_t averages their squares."),
         (4.5, "4.5 is v_2 = (9 + 0) / 2; one more step: v_3 = (9 + 0 + 0) / 3.")),
    ),
    # ------------------------------------------------------------------ 07 the PyTorch MLP
    "zero-grad-sum": Number(
        "A training loop forgets optimizer.zero_grad(). The gradients of one parameter at steps 1, 2 "
        "and 3 are 1, 2 and -1. What is in its .grad when optimizer.step() runs at step 3?",
        2.0,
        "backward() adds into .grad: 1 + 2 - 1 = 2, where the optimizer should see -1.",
        "backward() adds into .grad instead of replacing it: what has been added up by step 3?",
        ((-1.0, "-1 is the gradient of step 3 alone: that is what zero_grad() would have left."),
         (3.0, "3 is the sum after step 2; step 3 adds -1.")),
    ),
    "printed-example-right": Choice(
        "Once the indentation is repaired and an optimizer is created, the printed example runs "
        "without an error. Is it right?",
        {"a": "yes: it runs, so it trains as intended",
         "b": "no: its steps use the wrong gradients",
         "c": "no: backward() must come before the forward pass"},
        "b",
        "nothing clears .grad, so backward() keeps adding: silently, because Adam's normalisation "
        "hides the growing sum.",
        {"a": "running without an error is not training correctly: look at what happens to .grad "
              "from one step to the next.",
         "c": "the forward pass computes the loss that backward() differentiates: it must come first."},
    ),
    # ------------------------------------------------------------------ 08 real data, 09 beyond AMSGrad
    "paper-experiments-convex": Choice(
        "Which of the paper's real-data experiments (Section 5, Figure 2) is a convex problem, the "
        "kind its theorems are about?",
        {"a": "the multinomial logistic regression on MNIST",
         "b": "the network with one hidden layer of 100 ReLUs on MNIST",
         "c": "the convolutional network on CIFAR-10"},
        "a",
        "the cross-entropy of a linear model is convex in its weights; the paper trains it with "
        "alpha_t = alpha / sqrt(t), as in its theory.",
        {"b": "a hidden layer of ReLUs makes the loss non-convex in the weights (swap two hidden "
              "units of a minimiser: another minimiser; halfway between them the two units are equal "
              "and the loss is in general higher, which a convex loss cannot do, since its "
              "minimisers form a convex set).",
         "c": "a convolutional network has hidden layers too: its loss is non-convex in the weights."},
        tells=(r"logistic regression\W[^;]{0,60}?\bconvex\b",),
    ),
    "mnist-network-weights": Number(
        "The paper's network on MNIST has the same shape as ours, with 28 x 28 = 784 pixels in: one "
        "hidden layer of 100 ReLU units and 10 outputs. How many weights, the biases included, does "
        "it have?",
        784 * 100 + 100 + 100 * 10 + 10,
        "784 * 100 + 100 weights and biases into the hidden layer, 100 * 10 + 10 out of it: 79,510 "
        "(ours, with 64 pixels in: 6,500 + 1,010 = 7,510).",
        "count layer by layer: inputs x outputs weights, plus one bias per output.",
        ((784 * 100 + 100 * 10, "that leaves out the biases: one per hidden unit (100) and one per "
                                "output (10)."),
         (784 * 100 + 100 + 100 * 10, "that leaves out the 10 biases of the outputs."),
         (784 * 100 + 100 * 10 + 10, "that leaves out the 100 biases of the hidden units."),
         (7510, "7,510 is our network on the digits, with 64 pixels in; MNIST has 784."),
         (784 * 10 + 10, "7,850 = 784 * 10 + 10 is the logistic regression on MNIST; the network "
                         "has a hidden layer of 100 units in between.")),
        rel_tol=1e-6,
    ),
    "real-data-expectation": Choice(
        "On the digits, with minibatch gradients, what do you expect of AMSGrad against Adam?",
        {"a": "AMSGrad clearly better: it fixes a real flaw",
         "b": "a small difference",
         "c": "Adam fails to train at all"},
        "b",
        "the failure needs rare large gradients that Adam forgets before they come back; a classifier's "
        "minibatch gradients change size slowly.",
        {"a": "the flaw bites only with a particular gradient pattern; does a classifier's minibatch "
              "gradient look like the counterexample's?",
         "c": "Adam trains such models well in practice; the counterexample is a special pattern."},
    ),
    "yogi-step": Number(
        "Yogi with beta_2 = 0.99 has v_{t-1} = 100 and meets a small gradient, g_t^2 = 1. What is "
        "its v_t?",
        100.0 - 0.01 * 1.0,
        "v_t = 100 - 0.01 * sign(100 - 1) * 1 = 99.99: Yogi moves v_t by (1 - beta_2) g_t^2 only, "
        "so it forgets a large v slowly.",
        "Yogi's rule: v_t = v_{t-1} - (1 - beta_2) sign(v_{t-1} - g_t^2) g_t^2.",
        ((0.99 * 100.0 + 0.01 * 1.0, "99.01 is Adam's v_t, which moves by (1 - beta_2)(g_t^2 - v_{t-1}); "
                                    "Yogi moves by (1 - beta_2) g_t^2 only."),
         (100.0 + 0.01 * 1.0, "the sign: v_{t-1} > g_t^2, so Yogi lowers v_t.")),
        rel_tol=1e-6,
    ),
    "quantifier-order": Choice(
        "Reddi et al.: for every pair (beta_1, beta_2) with beta_1 < sqrt(beta_2) there is a problem on "
        "which Adam fails. Zhang et al.: for every problem (of their kind) there is a threshold above "
        "which every beta_2 makes Adam converge. Do they contradict each other?",
        {"a": "yes", "b": "no",
         "c": "yes, so one of the proofs must be wrong"},
        "b",
        "Reddi et al. fix the betas, then choose the problem; Zhang et al. fix the problem, then choose "
        "beta_2. Both can be true.",
        {"a": "read the order: who is chosen first, the betas or the problem?",
         "c": "both proofs stand; the statements choose the problem and the betas in a different order."},
    ),
}


def check(key: str, given) -> bool:
    """Check the learner's answer ``given`` to the question ``key``; print the verdict."""
    question = QUESTIONS.get(key) if isinstance(key, str) else None
    if question is None:
        return failed(f"there is no question {key!r}; the keys are: {', '.join(QUESTIONS)}.")
    if not_attempted(given):
        return False
    try:
        return question.judge(given)
    except (SystemExit, KeyboardInterrupt) as exc:   # raised by an odd answer's __float__, say
        return failed(f"reading your answer raised {type(exc).__name__}; "
                      "answer with a plain number or a letter as a string.")
    except Exception as exc:  # an odd object whose str() or float() misbehaves
        return failed(f"could not read your answer ({type(exc).__name__}); "
                      "answer with a plain number or a letter as a string.")


def answer(key: str) -> None:
    """Print the answer to question ``key`` and its reason (for a learner who is stuck)."""
    question = QUESTIONS.get(key) if isinstance(key, str) else None
    if question is None:
        print(f"There is no question {key!r}.")
        return
    print(f"Answer: {question.solution()}. {question.why}")


# ----------------------------------------------------------------------------- answers on screen
#: Words that carry no answer: left out when an option's distinctive words are compared.
_FUNCTION_WORDS = frozenset(
    "a an the and or of to in on by is are be it its that what they them their for with as at "
    "this these there than not no".split())
_NUMBER = r"(?<![\d.]){}(?!\d|[.,]\d)"


def _stems(text: str) -> set[str]:
    """The words of ``text``, lower case, without a plural or tense ending."""
    out = set()
    for word in re.findall(r"[a-z]+", text.lower()):
        for suffix in ("ing", "ed", "es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
        out.add(word)
    return out


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n\s*\n|\n\s*- |\n(?=\|)", text) if s.strip()]


def _numerals(q: Number) -> list[str]:
    """The ways a text would print ``q.value`` that ``check`` would accept as the answer; a lone
    digit 0-9 is left out: every formula has them, so it tells nothing."""
    shown = []
    for digits in range(5):
        r = round(abs(q.value), digits)
        text = f"{r:.{digits}f}"
        if q.close(r, abs(q.value)) and text not in shown and not re.fullmatch(r"\d", text):
            shown.append(text)
    return shown


def tells(key: str, text: str) -> list[str]:
    """The statements of question ``key``'s answer in ``text`` (markdown a learner reads before
    the question); empty if ``text`` does not give it away.

    A :class:`Number`'s answer is stated by its value as a standalone number, at any rounding that
    ``check`` accepts (a lone digit 0-9 excepted). A :class:`Choice`'s answer is stated by a sentence that holds every
    distinctive word of the right option (the words no wrong option has, less function words,
    compared without plural or tense endings; a table row is a sentence), or, for a question
    that has ``tells``, by a sentence that matches one of them instead.
    """
    q = QUESTIONS[key]
    flat = re.sub(r"(?<=\d)\{,\}(?=\d)", "", text)          # 10{,}000 -> 10000
    if isinstance(q, Number):
        return [m.group(0) for shown in _numerals(q)
                for m in re.finditer(_NUMBER.format(re.escape(shown)), flat)]
    wrong = set().union(*(_stems(o) for k, o in q.options.items() if k != q.correct))
    distinctive = _stems(q.options[q.correct]) - wrong - _FUNCTION_WORDS
    found = []
    for sentence in _sentences(flat):
        if (distinctive and not q.tells and distinctive <= _stems(sentence)) or any(
                re.search(p, sentence, re.I | re.S) for p in q.tells):
            found.append(sentence)
    return found
