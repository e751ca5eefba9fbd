"""The self-check questions of notebooks 05 to 09 (:mod:`amslib.exercises.selfcheck`), by key."""
from __future__ import annotations

import math

from .question_kinds import Choice, Number

QUESTIONS: dict[str, Number | Choice] = {
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
