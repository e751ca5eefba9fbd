"""Checkers judge the value, not its spelling (issue 22, "Checkers").

Properties over every checker, not single cases:
- every numeric checker (a number, or a function returning arrays) accepts the float32
  version of the right answer (NumPy and PyTorch): the tolerance follows the answer's dtype;
- every one refuses a value off in the third significant digit, in float64 and in float32;
- every letter question (the "check your understanding" choices and exercise letters)
  accepts the letter in every reasonable spelling, and the option's words;
- SystemExit and KeyboardInterrupt raised inside an answer become a hint;
- the commonest wrong answers get the hint that names their actual mistake (issue 21, item 20).
"""
import numpy as np
import pytest
import torch

from amslib.exercises import nb00, nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09, selfcheck

# --------------------------------------------------------------------- numbers
RIGHT_NUMBERS = [(nb00.check_step_size, 0.125), (nb00.check_best_point, -1.0),
                 (nb01.check_max_lr, 0.04), (nb02.check_m3, 0.542),
                 (nb02.check_tiny_gradient_step, 0.005), (nb03.check_worst_regret, 1.6),
                 (nb04.check_theorem1_beta2, 0.1), (nb07.check_accumulation, 2.0),
                 (nb08.check_warmup_fraction, 1 - 0.999 ** 220)]
NUMBER_QUESTIONS = [(k, q) for k, q in selfcheck.QUESTIONS.items() if isinstance(q, selfcheck.Number)]


def _third_digit_off(value, sign):
    """value moved by 5 units of its third significant digit (0.542 -> 0.547 / 0.537)."""
    unit = 10.0 ** (np.floor(np.log10(abs(value))) - 2)
    return value + sign * 5 * unit


@pytest.mark.parametrize("check, right", RIGHT_NUMBERS, ids=lambda c: getattr(c, "__name__", ""))
@pytest.mark.parametrize("kind", [np.float32, lambda v: torch.tensor(v, dtype=torch.float32)],
                         ids=["numpy float32", "torch float32"])
def test_float32_right_number_passes(verdict, check, right, kind):
    ok, out = verdict(check, kind(right))
    assert ok is True, out


@pytest.mark.parametrize("check, right", RIGHT_NUMBERS, ids=lambda c: getattr(c, "__name__", ""))
@pytest.mark.parametrize("sign", [1, -1])
@pytest.mark.parametrize("kind", [float, np.float32])
def test_wrong_third_digit_fails(verdict, check, right, sign, kind):
    ok, out = verdict(check, kind(_third_digit_off(right, sign)))
    assert ok is False and out.startswith("Not yet:"), out


@pytest.mark.parametrize("check, wrong", [(nb02.check_m3, 0.547), (nb02.check_m3, 0.537),
                                          (nb08.check_warmup_fraction, 0.196),
                                          (nb08.check_warmup_fraction, 0.1995)])
def test_the_reported_wrong_passes_fail(verdict, check, wrong):
    assert verdict(check, wrong)[0] is False


@pytest.mark.parametrize("key, q", NUMBER_QUESTIONS, ids=[k for k, _ in NUMBER_QUESTIONS])
def test_selfcheck_numbers_accept_float32(verdict, key, q):
    for kind in (np.float32, lambda v: torch.tensor(v, dtype=torch.float32)):
        ok, out = verdict(lambda a: selfcheck.check(key, a), kind(q.value))
        assert ok is True, out


# --------------------------------------------------------------------- functions returning arrays
def _ema_weights(beta, t):
    k = np.arange(1, t + 1)
    return (1 - beta) * beta ** (t - k)


def _rmsprop_step(x, g, v, lr, beta, eps):
    v = beta * v + (1 - beta) * g * g
    return x - lr * g / (np.sqrt(v) + eps), v


def _adam_step(x, g, m, v, t, lr, b1, b2, eps):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    return x - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps), m, v


def _regret(g, x):
    return float(np.dot(g, x) + abs(np.sum(g)))


def _amsgrad_step(x, g, m, v, v_hat, t, alpha, b1, b2, eps):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    v_hat = np.maximum(v_hat, v)
    return x - alpha * m / (np.sqrt(v_hat) + eps), m, v, v_hat


def _adamnc_v(grads):
    g2 = np.asarray(grads, dtype=float) ** 2
    return np.cumsum(g2, axis=0) / np.arange(1, len(g2) + 1).reshape((-1,) + (1,) * (g2.ndim - 1))


def _yogi_v(v, g, beta2):
    g2 = np.asarray(g, dtype=float) ** 2
    return v - (1 - beta2) * np.sign(v - g2) * g2


def _best_alpha(alphas, losses):
    return alphas[int(np.argmin(np.mean(losses, axis=1)))]


FUNCTION_CHECKS = [(nb01.check_ema_weights, _ema_weights), (nb01.check_rmsprop_step, _rmsprop_step),
                   (nb02.check_adam_step, _adam_step), (nb03.check_regret_function, _regret),
                   (nb05.check_amsgrad_step, _amsgrad_step), (nb06.check_adamnc_v, _adamnc_v),
                   (nb09.check_yogi_v, _yogi_v)]


def _mapped(fn, convert):
    """fn with convert applied to every array or number it returns (tuples element by element)."""
    def wrapped(*args):
        out = fn(*args)
        return tuple(convert(o) for o in out) if isinstance(out, tuple) else convert(out)
    return wrapped


FLOAT32 = {"numpy float32": lambda a: np.asarray(a, dtype=np.float32),
           "torch float32": lambda a: torch.tensor(np.asarray(a), dtype=torch.float32)}


@pytest.mark.parametrize("check, right", FUNCTION_CHECKS, ids=lambda c: getattr(c, "__name__", ""))
def test_function_checkers_accept_the_right_answer(verdict, check, right):
    ok, out = verdict(check, right)
    assert ok is True, out


@pytest.mark.parametrize("check, right", FUNCTION_CHECKS, ids=lambda c: getattr(c, "__name__", ""))
@pytest.mark.parametrize("kind", list(FLOAT32), ids=list(FLOAT32))
def test_function_checkers_accept_float32_results(verdict, check, right, kind):
    ok, out = verdict(check, _mapped(right, FLOAT32[kind]))
    assert ok is True, out


@pytest.mark.parametrize("check, right", FUNCTION_CHECKS, ids=lambda c: getattr(c, "__name__", ""))
@pytest.mark.parametrize("kind", ["float64", "numpy float32"])
def test_function_checkers_refuse_a_wrong_third_digit(verdict, check, right, kind):
    convert = FLOAT32.get(kind, lambda a: np.asarray(a, dtype=np.float64))
    ok, out = verdict(check, _mapped(right, lambda a: convert(np.asarray(a) * 1.005)))
    assert ok is False and out.startswith("Not yet:"), out


@pytest.mark.parametrize("check, right", FUNCTION_CHECKS, ids=lambda c: getattr(c, "__name__", ""))
def test_half_precision_is_refused_with_a_hint(verdict, check, right):
    ok, out = verdict(check, _mapped(right, lambda a: np.asarray(a, dtype=np.float16)))
    assert ok is False and "half-precision" in out, out


def test_best_alpha_float32(verdict):
    assert verdict(nb08.check_best_alpha, _mapped(_best_alpha, np.float32))[0] is True


# --------------------------------------------------------------------- letters and notation
CHOICES = [(k, q) for k, q in selfcheck.QUESTIONS.items() if isinstance(q, selfcheck.Choice)]


def _spellings(letter, words):
    return [letter, letter.upper(), f" {letter} ", f"{letter}.", f"{letter},", f"({letter})",
            f"{letter})", f"'{letter}'", f'"{letter}"', f"`{letter}`", f"({letter}) {words}",
            f"{letter}: {words}", f"{letter} - {words}", f"{letter}. {words}", words, words.upper()]


@pytest.mark.parametrize("key, q", CHOICES, ids=[k for k, _ in CHOICES])
def test_every_choice_accepts_every_spelling_of_the_right_letter(verdict, key, q):
    for spelling in _spellings(q.correct, q.options[q.correct]):
        ok, out = verdict(lambda a: selfcheck.check(key, a), spelling)
        assert ok is True, (spelling, out)


@pytest.mark.parametrize("key, q", CHOICES, ids=[k for k, _ in CHOICES])
def test_every_choice_refuses_the_other_letters_with_their_hint(verdict, key, q):
    for letter, words in q.options.items():
        if letter == q.correct:
            continue
        for spelling in (letter, f"({letter}) {words}", words):
            ok, out = verdict(lambda a: selfcheck.check(key, a), spelling)
            assert ok is False and out.startswith("Not yet:"), (spelling, out)
            if letter in q.hints:
                assert q.hints[letter] in out
        # the right letter with another option's words names neither
        ok, out = verdict(lambda a: selfcheck.check(key, a), f"({q.correct}) {words}")
        assert ok is False


GAMMA = {"a": "sometimes negative, like Adam's", "b": "never negative", "c": "always zero"}


def test_exercise_letters_accept_every_spelling(verdict):
    for spelling in _spellings("b", GAMMA["b"]):
        ok, out = verdict(nb05.check_gamma, spelling)
        assert ok is True, (spelling, out)


@pytest.mark.parametrize("spelling", ["v_hat", "v-hat", "v hat", "\\widehat{v}_t", "\\hat{v}_t", "$\\hat v_t$",
                                      "v_hat,", "'v_hat'", '"v_hat"', "`v_hat`", "v̂", "v̂_t", "vhat",
                                      "v_hat_t", "V_HAT", "v_max", "`v_max`."])
def test_notation_accepts_every_spelling(verdict, spelling):
    ok, out = verdict(nb00.check_notation, spelling)
    assert ok is True, (spelling, out)


# --------------------------------------------------------------------- escapes
CALLABLE_CHECKS = [c for c, _ in FUNCTION_CHECKS] + [nb07.check_make_optimizer, nb08.check_best_alpha]


@pytest.mark.parametrize("check", CALLABLE_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("exc", [SystemExit, KeyboardInterrupt])
def test_system_exit_and_keyboard_interrupt_become_a_hint(verdict, check, exc):
    def answer(*args):
        raise exc("stop")
    ok, out = verdict(check, answer)
    assert ok is False and exc.__name__ in out


@pytest.mark.parametrize("exc", [SystemExit, KeyboardInterrupt])
def test_selfcheck_catches_them_too(verdict, exc):
    class Odd:
        def __float__(self):
            raise exc("stop")
    ok, out = verdict(lambda a: selfcheck.check("ema-memory", a), Odd())
    assert ok is False and out.startswith("Not yet:")


# --------------------------------------------------------------------- make_optimizer does what it says
def test_make_optimizer_accepts_a_tensor_lr(verdict):
    ok, out = verdict(nb07.check_make_optimizer,
                      lambda p: torch.optim.Adam(p, lr=torch.tensor(1e-4), amsgrad=True))
    assert ok is True, out


def _noop_step(p):
    opt = torch.optim.Adam(p, lr=1e-4, amsgrad=True)
    opt.step = lambda closure=None: None
    return opt


@pytest.mark.parametrize("make, hint", [
    (_noop_step, "did not move them"),
    (lambda p: torch.optim.Adam(p, lr=1e-4, amsgrad=True, capturable=True), "capturable"),
    (lambda p: torch.optim.Adam(p, lr=1e-4, amsgrad=True, differentiable=True), "differentiable"),
    (lambda p: torch.optim.Adam(p, lr=1e-4, amsgrad="False"), "boolean True"),
    (lambda p: torch.optim.Adam(p, lr=torch.tensor(1e-3), amsgrad=True), "1e-4"),
])
def test_make_optimizer_checks_what_the_optimizer_does(verdict, make, hint):
    ok, out = verdict(nb07.check_make_optimizer, make)
    assert ok is False and hint in out, out


def test_make_optimizer_catches_a_changed_state(verdict):
    """Settings that param_groups does not show are caught by the step itself."""
    def sneaky(p):
        opt = torch.optim.Adam(p, lr=1e-4, amsgrad=True)
        original = opt.step

        def step(closure=None):
            for group in opt.param_groups:
                group["betas"] = (0.5, 0.999)
            try:
                return original(closure)
            finally:
                for group in opt.param_groups:
                    group["betas"] = (0.9, 0.999)
        opt.step = step
        return opt
    ok, out = verdict(nb07.check_make_optimizer, sneaky)
    assert ok is False


# --------------------------------------------------------------------- hints that name the mistake
@pytest.mark.parametrize("check, wrong, hint", [
    # 08 exercise 1: the wrong axis (on its first case it gives the same alpha as "the worst")
    (nb08.check_best_alpha, lambda a, L: a[int(np.argmin(np.mean(L, axis=0)))], "axis 0"),
    (nb08.check_best_alpha, lambda a, L: a[int(np.argmax(np.mean(L, axis=1)))], "worst step size"),
    (nb08.check_best_alpha, lambda a, L: a[int(np.argmin(np.min(L, axis=1)))], "luckiest seed"),
    (nb08.check_best_alpha, lambda a, L: int(np.argmin(np.mean(L, axis=1))), "index"),
    # 05 exercise 3: "c" (always zero)
    (nb05.check_gamma, "c", "1/alpha_t"),
    (nb05.check_gamma, "(c) always zero", "1/alpha_t"),
    (nb05.check_gamma, "a", "Adam's problem"),
    # 02 exercise 1 and 3, 08 exercise 2: near misses
    (nb02.check_m3, 0.547, "close to m_3 but not it"),
    (nb02.check_tiny_gradient_step, -0.005, "length of the step"),
    (nb08.check_warmup_fraction, 0.196, "two decimals only"),
])
def test_common_wrong_answers_get_their_hint(verdict, check, wrong, hint):
    ok, out = verdict(check, wrong)
    assert ok is False and hint in out, out


def test_a_signed_answer_to_a_distance_gets_the_sign_hint(verdict):
    ok, out = verdict(lambda a: selfcheck.check("first-step-scale", a), -0.01)
    assert ok is False and "distance" in out
    # and for every number question, the negated right answer is told about its sign
    for key, q in NUMBER_QUESTIONS:
        if q.value == 0 or any(q.close(-q.value, w) for w, _ in q.mistakes):
            continue
        ok, out = verdict(lambda a: selfcheck.check(key, a), -q.value)
        assert ok is False and "sign" in out, (key, out)
