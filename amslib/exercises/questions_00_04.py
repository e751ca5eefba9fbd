"""The self-check questions of notebooks 00 to 04 (:mod:`amslib.exercises.selfcheck`), by key."""
from __future__ import annotations

import math

from .question_kinds import Choice, Number

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
}
