"""Exercise checks: immediate, specific feedback on a learner's own implementation of each rule.

Each ``check_<exercise>(fn)`` calls the learner's function ``fn`` on a few fixed cases, compares every result
with the library's own rule (:mod:`lessons_lib.averages`, :mod:`lessons_lib.rules`,
:mod:`lessons_lib.measures`, :mod:`lessons_lib.data`, :mod:`lessons_lib.running`), prints one short message
and returns ``True`` or ``False``. It never raises: whatever ``fn`` does becomes a message, except an
interrupt (``KeyboardInterrupt``, the notebook's stop button), which stops the check.

How a check decides
-------------------
1. ``fn`` is called positionally, as the notebook's exercise defines it, on every case in turn: Python floats,
   1-D and 2-D arrays (lists for the averages and the runs' gaps), gradients from 1e-6 to 1e4, several
   consecutive steps, runs that diverged (NaN). One or two cases of each exercise have integer inputs
   (integer arrays, and integer Python numbers where they are natural, with states such as
   ``np.zeros_like(x)`` of an integer ``x``), which catch a function that is right only for floats. The
   inputs are fixed (seeded), so the feedback is the same on every run. A case's later steps start from the
   library's result of the step before (floats), which equals the learner's to within the tolerance.
2. ``fn`` gets copies of the inputs, and each call gets ``TIME_LIMIT`` seconds (5), all the calls of a check
   ``CHECK_TIME_LIMIT`` (8) together: a function that has not returned by then (a loop that never ends, even
   one that catches every exception, or a long ``time.sleep``) is stopped, and the check fails and says so.
   A stub that still raises ``NotImplementedError`` is "not done yet"; any other exception is reported with
   its type, its message, the case's inputs and the learner's line that raised, never as a traceback. Only
   ``KeyboardInterrupt`` (the notebook's interrupt button) gets through: it stops the check.
3. If ``fn`` changed one of its input arrays in place (``x -= lr * g``, ``s += g**2``) the check fails and
   says which one: the library's rules are pure, and an optimizer that overwrites its caller's arrays
   corrupts the caller's record of where it has been.
4. Results are compared with ``rtol = 1e-9``: tight enough that, at gradients of 1e-6 to 1e-3, epsilon inside
   the root cannot pass for epsilon outside it, loose enough for any correct rearrangement (loops or
   vectorised, ``math.sqrt`` or ``** 0.5``, a tuple or a list, arrays or NumPy scalars). An absolute floor,
   ``ATOL_FRACTION`` (1e-12) of the largest expected entry, accepts round-off in entries that cancel to
   nearly 0 (a cosine schedule's last multipliers, written ``1 + cos``). The cases are
   chosen, and tested, so that on every call each catalogued mistake moves the result by more than 100
   tolerances or by less than 1/100 of one: no verdict depends on rounding (a step, the result of
   :func:`check_steps_to_tolerance`, is right or off by 1 at least).
5. A wrong result made of integers (every value stored into an integer array, such as ``np.zeros_like`` of
   an integer input, is cut to a whole number; unless the result is a whole number by nature, a step) or of
   floats with less than double precision (float32 keeps about 7 digits, float16 about 3) gets a hint about
   its dtype, with the inputs and the expected and received values. Any other wrong result is compared with
   the exercise's catalogue of known mistakes, each the rule with one mistake in it, evaluated on the same
   inputs. A match names the mistake and its fix; otherwise the message shows the inputs and the expected
   and received values, with a hint about float32 when a float64 result is off by no more than float32's
   round-off (``float()`` of a float32, or NumPy 1.x widening one that met a Python float), or about the
   shape an output must have when it came back with another (a layer's ``dW``, ``db``). A result of
   ``None`` is a missing ``return``, unless a catalogued mistake returns ``None`` on the same inputs
   (``None`` for "never" in place of -1): then that mistake is named.

Every message is a few lines, wrapped at spaces to ``MESSAGE_WIDTH`` (100) characters, never inside a word,
inline code, brackets or a formula (JupyterLab would break a wider line wherever its edge falls, even inside a
word), with no memory address or timing in it, so that a notebook's outputs compare equal from run to run
(``nbval``).

Predictions
-----------
``check_prediction(key, answer)`` judges an answer written *before* the experiment that gives it: a number
within a stated relative tolerance, or one of a few named choices, with the misconception behind each likely
wrong answer. The questions are data (:mod:`._predictions`); an unanswered ``...`` is "not answered yet", and
no answer, of any type, raises.

After a check
-------------
The cells after an exercise use ``yours_or_library(fn, passed)``: the learner's function once its check has
passed; until then the library's rule, called the same way, with a printed line that says the rest of the
lesson uses lessons_lib's rule in its place. Nothing the library computes is shown as the learner's.

How a call is stopped
---------------------
In the main thread of a POSIX system, where a notebook's code runs, a timer (``SIGALRM``) raises an exception
in the learner's function; it also interrupts ``time.sleep``. The exception derives from ``BaseException``,
so that ``except Exception`` does not catch it; it is raised again every few milliseconds, and once the time
is up every line the learner's code runs raises it (a trace function), so that a loop whose body catches
everything (a bare ``except:``), even around ``time.sleep``, lets it out at once: it is raised again in the
handler, outside the try. Only nested loops that each catch everything can hold it (and the interrupt button
too); a restart of the kernel ends them. Elsewhere (another thread, or Windows) a watchdog thread sends the
exception to the checking thread, where it lands as soon as Python code runs again: a blocking call such as
``time.sleep`` there is stopped only when it returns, and a bare ``except:`` in a loop lets it out within a
fraction of a second from Python 3.11 on (Python 3.10 looks for it only inside such a loop's try). The
previous ``SIGALRM`` handler, timer and trace function are restored afterwards. The checker's own
computations are not timed.

Adding an exercise
------------------
An exercise is data (:class:`_exercise._Exercise`): its parameter and output names, a reference that calls
the library and its catalogue of mistakes (``_mistakes`` for gradient descent, momentum and the averages,
``_mistakes_adaptive`` for the adaptive rules and AdamW, ``_mistakes_measures`` for the measures,
``_mistakes_network`` for training a network: a layer's backward pass and the cosine schedule), its cases
(``_cases``) and hints for common exceptions; ``_catalogue`` puts each exercise together, and
:func:`_mechanism._check` runs them all (with the time limit of ``_time_limit``). The limits and tolerances
above are read when a check runs, so that setting, say, ``lessons_lib.checks.TIME_LIMIT = 10`` gives every
call ten seconds.
"""

from __future__ import annotations

from ._catalogue import (
    _ADAGRAD_STEP,
    _ADAM_STEP,
    _ADAMW_STEP,
    _CENTERED_RMSPROP_STEP,
    _COSINE_SCHEDULE,
    _EFFECTIVE_LR,
    _EWA,
    _EWA_BIAS_CORRECTED,
    _EXERCISES,
    _GD_STEP,
    _LAYER_BACKWARD,
    _MOMENTUM_STEP,
    _NESTEROV_STEP,
    _RMSPROP_STEP,
    _RMSPROP_STEP_EPS_INSIDE,
    _STEPS_TO_TOLERANCE,
)
from ._mechanism import _check, _library_in_place
from ._predictions import check_prediction

__all__ = [
    "check_adagrad_step",
    "check_adam_step",
    "check_adamw_step",
    "check_centered_rmsprop_step",
    "check_cosine_schedule",
    "check_effective_lr",
    "check_ewa",
    "check_ewa_bias_corrected",
    "check_gd_step",
    "check_layer_backward",
    "check_momentum_step",
    "check_nesterov_step",
    "check_prediction",
    "check_rmsprop_step",
    "check_rmsprop_step_eps_inside",
    "check_steps_to_tolerance",
    "yours_or_library",
]

#: Relative tolerance of every comparison; see the module docstring, point 4.
RTOL = 1e-9
#: Absolute floor, as a fraction of the largest expected entry (guards entries that cancel to nearly 0).
ATOL_FRACTION = 1e-12
#: Seconds each call of the learner's function may take; see the module docstring, point 2.
TIME_LIMIT = 5.0
#: Seconds all the calls of one check may take together (a correct function needs milliseconds).
CHECK_TIME_LIMIT = 8.0
#: Characters per line of a message: longer lines are wrapped at words (JupyterLab's output area would break
#: them wherever its edge falls, even inside a word).
MESSAGE_WIDTH = 100


# ------------------------------------------------------------------------------------------------------------
# The checks.


def check_ewa(fn) -> bool:
    """Check a learner's exponentially weighted average, ``fn(values, beta)``.

    Expected: one average per value, ``v_0 = 0``, ``v_t = beta * v_{t-1} + (1 - beta) * x_t``  (E1), no bias
    correction. ``values`` is a list or a 1-D array.

    Parameters
    ----------
    fn : callable
        The learner's function, called as ``fn(values, beta)``.

    Returns
    -------
    bool
        True if every case is right. One line of feedback (or a few) is printed either way.

    Examples
    --------
    >>> def ewa_(values, beta):
    ...     v, out = 0.0, []
    ...     for x in values:
    ...         v = beta * v + (1 - beta) * x
    ...         out.append(v)
    ...     return out
    >>> check_ewa(ewa_)
    ewa: correct on all 5 cases.
    True
    """
    return _check(_EWA, fn)


def check_ewa_bias_corrected(fn) -> bool:
    """Check a learner's bias-corrected exponentially weighted average, ``fn(values, beta)``.

    Expected: the average of :func:`check_ewa` divided by ``1 - beta**t``, ``t`` counted from 1  (E2).

    Parameters
    ----------
    fn : callable
        The learner's function, called as ``fn(values, beta)``.

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> def ewa_bias_corrected(values, beta):
    ...     raise NotImplementedError
    >>> check_ewa_bias_corrected(ewa_bias_corrected)
    ewa_bias_corrected: not done yet — replace `raise NotImplementedError` in its cell with your code,
    run that cell, then this one again.
    False
    """
    return _check(_EWA_BIAS_CORRECTED, fn)


def check_gd_step(fn) -> bool:
    """Check a learner's gradient-descent step, ``fn(x, g, lr)``, which returns the new ``x``  (G1).

    Parameters
    ----------
    fn : callable
        The learner's function, called as ``fn(x, g, lr)`` with floats or arrays ``x``, ``g``.

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> check_gd_step(lambda x, g, lr: x - lr * g)
    gd_step: correct on all 6 cases.
    True
    """
    return _check(_GD_STEP, fn)


def check_momentum_step(fn) -> bool:
    """Check a learner's momentum step, averaged form, ``fn(x, g, v, lr, beta)`` -> ``(x, v)``.

    Expected: ``v = beta * v + (1 - beta) * g``  (M1), then ``x = x - lr * v`` with the new ``v``  (M2).

    Parameters
    ----------
    fn : callable
        The learner's function, called as ``fn(x, g, v, lr, beta)``; it returns the new ``x`` and ``v``.

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> def momentum_step(x, g, v, lr, beta):
    ...     v = beta * v + (1 - beta) * g
    ...     return x - lr * v, v
    >>> check_momentum_step(momentum_step)
    momentum_step: correct on all 5 cases.
    True
    """
    return _check(_MOMENTUM_STEP, fn)


def check_nesterov_step(fn) -> bool:
    """Check a learner's Nesterov momentum step, summed form, ``fn(x, g, v, lr, beta)`` -> ``(x, v)``.

    Expected, as PyTorch's ``SGD(momentum=beta, nesterov=True)`` computes it: ``v = beta * v + g``  (M1'),
    then ``x = x - lr * (g + beta * v)`` with the new ``v``: a step along the look-ahead, the gradient plus
    where the velocity is heading.

    Parameters
    ----------
    fn : callable
        The learner's function, called as ``fn(x, g, v, lr, beta)``; it returns the new ``x`` and ``v``.

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> def nesterov_step(x, g, v, lr, beta):
    ...     v = beta * v + g
    ...     return x - lr * v, v
    >>> check_nesterov_step(nesterov_step)
    nesterov_step: wrong result in case "Python floats, 3 steps", step 1 of 3.
      Known mistake: heavy-ball step, no look-ahead. Your step is x - lr*(beta*v + g): x - lr*v with the
        new v (plain momentum), or the look-ahead g + beta*v with the old v. Update v first,
        v = beta*v + g, then step along the look-ahead with the new v: x = x - lr*(g + beta*v).
    False
    """
    return _check(_NESTEROV_STEP, fn)


def check_adagrad_step(fn) -> bool:
    """Check a learner's Adagrad step, ``fn(x, g, s, lr, eps)`` -> ``(x, s)``.

    Expected: ``s = s + g**2``  (A1), then ``x = x - lr * g / (sqrt(s) + eps)`` with the new ``s``  (A2).

    Parameters
    ----------
    fn : callable
        The learner's function, called as ``fn(x, g, s, lr, eps)``; it returns the new ``x`` and ``s``.

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> import numpy as np
    >>> def adagrad_step(x, g, s, lr, eps):
    ...     s = s + g**2
    ...     return x - lr * g / np.sqrt(s + eps), s
    >>> check_adagrad_step(adagrad_step)
    adagrad_step: wrong result in case "Python floats, eps = 1e-3, 3 steps", step 1 of 3.
      Known mistake: eps inside the square root. You divided by sqrt(s + eps); here (as in PyTorch) eps
        goes outside the root: sqrt(s) + eps.
    False
    """
    return _check(_ADAGRAD_STEP, fn)


def check_rmsprop_step(fn) -> bool:
    """Check a learner's RMSProp step, ``fn(x, g, s, lr, beta, eps)`` -> ``(x, s)``.

    Expected: ``s = beta * s + (1 - beta) * g**2``  (R1), then ``x = x - lr * g / (sqrt(s) + eps)`` with the
    new ``s``  (R2).

    Parameters
    ----------
    fn : callable
        The learner's function, called as ``fn(x, g, s, lr, beta, eps)``; it returns the new ``x`` and ``s``.

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> import numpy as np
    >>> def rmsprop_step(x, g, s, lr, beta, eps):
    ...     s = beta * s + (1 - beta) * g**2
    ...     return x - lr * g / (np.sqrt(s) + eps), s
    >>> check_rmsprop_step(rmsprop_step)
    rmsprop_step: correct on all 5 cases.
    True
    """
    return _check(_RMSPROP_STEP, fn)


def check_centered_rmsprop_step(fn) -> bool:
    """Check a learner's centered RMSProp step, ``fn(x, g, s, m, lr, beta, eps)`` -> ``(x, s, m)``.

    Expected, as PyTorch's ``RMSprop(centered=True)`` without momentum computes it::

        s = beta * s + (1 - beta) * g**2                 (R1)
        m = beta * m + (1 - beta) * g                    the EWA of g
        x = x - lr * g / (sqrt(s - m**2) + eps)          with the new s and m

    ``s - m**2`` estimates the gradient's variance; it is never negative, and the cases keep it well above
    0, so ``np.sqrt(s - m**2)`` is right as written.

    Parameters
    ----------
    fn : callable
        The learner's function; it returns the new ``x``, ``s`` and ``m``.

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> import numpy as np
    >>> def centered_rmsprop_step(x, g, s, m, lr, beta, eps):
    ...     s = beta * s + (1 - beta) * g**2
    ...     m = beta * m + (1 - beta) * g
    ...     return x - lr * g / (np.sqrt(s) + eps), s, m
    >>> check_centered_rmsprop_step(centered_rmsprop_step)
    centered_rmsprop_step: wrong result in case "Python floats, eps = 1e-3, 3 steps", step 1 of 3.
      Known mistake: not centered. You divided by sqrt(s) + eps, plain RMSProp's root mean square.
        Centered RMSProp divides by the root of the variance: sqrt(s - m**2) + eps.
    False
    """
    return _check(_CENTERED_RMSPROP_STEP, fn)


def check_effective_lr(fn) -> bool:
    """Check a learner's effective learning rate of Adagrad and RMSProp, ``fn(s, lr, eps)``.

    Expected: ``lr / (sqrt(s) + eps)``, the factor that multiplies each coordinate's gradient in (A2) and
    (R2): an array of the shape of ``s``, or a number for a number ``s``. One call per case, with ``s`` from
    1e-12 (where eps matters) to 1e8 (where it does not).

    Parameters
    ----------
    fn : callable
        The learner's function, called as ``fn(s, lr, eps)`` with a float or an array ``s``.

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> import numpy as np
    >>> check_effective_lr(lambda s, lr, eps: lr / np.sqrt(s + eps))
    effective_lr: wrong result in case "1-D arrays, s from 1e-12 to 1e8, eps = 1e-8".
      Known mistake: eps inside the square root. You computed lr/sqrt(s + eps); here (as in PyTorch) eps
        goes outside the root: lr/(sqrt(s) + eps).
    False
    """
    return _check(_EFFECTIVE_LR, fn)


def check_adam_step(fn) -> bool:
    """Check a learner's Adam step, ``fn(x, g, m, v, t, lr, beta1, beta2, eps)`` -> ``(x, m, v)``.

    Expected, with ``t`` the number of this step (the first call has ``t = 1``)::

        m = beta1 * m + (1 - beta1) * g                              (D1)
        v = beta2 * v + (1 - beta2) * g**2                           (D2)
        m_hat = m / (1 - beta1**t);  v_hat = v / (1 - beta2**t)     (D3)
        x = x - lr * m_hat / (sqrt(v_hat) + eps)                     (D4)

    Parameters
    ----------
    fn : callable
        The learner's function; it returns the new ``x``, ``m`` and ``v`` (not ``t``: the caller counts).

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> import numpy as np
    >>> def adam_step(x, g, m, v, t, lr, beta1, beta2, eps):
    ...     m = beta1 * m + (1 - beta1) * g
    ...     v = beta2 * v + (1 - beta2) * g**2
    ...     return x - lr * m / (np.sqrt(v) + eps), m, v
    >>> check_adam_step(adam_step)
    adam_step: wrong result in case "Python floats, eps = 1e-3, t = 1 to 3", step 1 of 3.
      Known mistake: bias correction missing. Divide m by 1 - beta1**t and v by 1 - beta2**t before the
        step; without it the early steps have the wrong size (about 3*lr at t = 1 with the default
        betas).
    False
    """
    return _check(_ADAM_STEP, fn)


def check_steps_to_tolerance(fn) -> bool:
    """Check a learner's steps to a tolerance, ``fn(gaps, tol)`` -> a whole number: how lesson 06 times a run.

    ``gaps`` is one run's loss above the minimum at steps 0, 1, ..., T (a list or a 1-D array), NaN from the
    step the run diverged on. Expected: the first step ``k`` from which the run stays within ``tol``::

        k = min { k : gaps[j] <= tol for every j = k, k + 1, ..., T },   or -1 if there is none

    as :func:`lessons_lib.measures.first_staying` (of ``gaps <= tol``) and ``Trajectory.steps_to`` compute
    it. A diverged run never stays within ``tol``: ``nan <= tol`` is False. One call per case: runs that dip
    within ``tol`` and come back out, that stay, that never get there, that diverge, and a gap equal to
    ``tol`` at the decisive step.

    Parameters
    ----------
    fn : callable
        The learner's function, called as ``fn(gaps, tol)``; it returns the step (an int; a whole float also
        passes).

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> def steps_to_tolerance(gaps, tol):
    ...     for k, gap in enumerate(gaps):
    ...         if gap <= tol:
    ...             return k
    ...     return -1
    >>> check_steps_to_tolerance(steps_to_tolerance)
    steps_to_tolerance: wrong result in case "a list of 8 gaps that dips within tol and comes back out".
      Known mistake: first step within tol, not within for good. You returned the first step whose gap
        is <= tol, but the run leaves tol again after it. Return the first step k from which every gap
        to the end of the run is <= tol: gaps[j] <= tol for all j >= k.
    False
    """
    return _check(_STEPS_TO_TOLERANCE, fn)


def check_rmsprop_step_eps_inside(fn) -> bool:
    """Check a learner's RMSProp step with eps inside the root, ``fn(x, g, s, lr, beta, eps)`` -> ``(x, s)``.

    Expected, as Keras and optax write RMSProp (PyTorch, and :func:`check_rmsprop_step`, put eps outside)::

        s = beta * s + (1 - beta) * g**2                 (R1)
        x = x - lr * g / sqrt(s + eps)                   with the new s

    Where ``s`` is far above ``eps`` (large gradients) the two conventions agree to many digits; at gradients
    of 1e-6 to 1e-3 they differ by far more than the check's tolerance.

    Parameters
    ----------
    fn : callable
        The learner's function; it returns the new ``x`` and ``s``.

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> import numpy as np
    >>> def rmsprop_step_eps_inside(x, g, s, lr, beta, eps):
    ...     s = beta * s + (1 - beta) * g**2
    ...     return x - lr * g / (np.sqrt(s) + eps), s
    >>> check_rmsprop_step_eps_inside(rmsprop_step_eps_inside)
    rmsprop_step_eps_inside: wrong result in case "Python floats, eps = 1e-3, 3 steps, beta = 0.9", step
    1 of 3.
      Known mistake: eps outside the square root. You divided by sqrt(s) + eps, PyTorch's convention
        (and lesson 04's). Keras and optax put eps inside the root: divide by sqrt(s + eps).
    False
    """
    return _check(_RMSPROP_STEP_EPS_INSIDE, fn)


def check_layer_backward(fn) -> bool:
    """Check a learner's backward pass through one hidden tanh layer, ``fn(a, W, delta)`` -> ``(dW, db,
    delta_below)``.

    ``a`` (n × fan_in) is the layer's input, the output of the tanh layer below; ``W`` (fan_in × fan_out) its
    weights; ``delta`` (n × fan_out) the gradient of the loss with respect to its pre-activation, already
    divided by n (N4). Expected, as :func:`lessons_lib.data.layer_backward` computes it::

        dW = a.T @ delta                                 (N5)  fan_in × fan_out, like W
        db = delta.sum(axis=0)                           (N5)  a sum over the images, like b
        delta_below = (delta @ W.T) * (1 - a**2)         (N6)  tanh'(z) = 1 - tanh(z)**2 = 1 - a**2

    One call per case; one layer is square (fan_in = fan_out), where dW transposed and W not transposed have
    the right shapes.

    Parameters
    ----------
    fn : callable
        The learner's function; it returns ``dW``, ``db`` and ``delta_below``.

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> import numpy as np
    >>> def layer_backward(a, W, delta):
    ...     return a.T @ delta, delta.sum(axis=0), (delta @ W.T) * (1 - np.tanh(a) ** 2)
    >>> check_layer_backward(layer_backward)
    layer_backward: wrong result in case "a square layer, fan_in = fan_out = 3, n = 5".
      Known mistake: tanh applied twice. a is already tanh(z), the output of the layer below, so
        tanh'(z) = 1 - a**2. 1 - np.tanh(a)**2 (or 1/np.cosh(a)**2) is tanh' at a: one tanh too many.
    False
    """
    return _check(_LAYER_BACKWARD, fn)


def check_cosine_schedule(fn) -> bool:
    """Check a learner's cosine decay, ``fn(steps, final)`` -> one learning-rate multiplier per step.

    Expected, for ``k = 0 .. steps - 1``, as :func:`lessons_lib.cosine_decay` computes it::

        final + (1 - final) * (1 + cos(pi * k / steps)) / 2      (S2)

    from 1 at the first step toward ``final`` at step ``steps``, one after the last. ``steps`` is an int,
    ``final`` a float or an int (0 or 1); a list or an array of ``steps`` numbers passes.

    The multipliers are compared within ``RTOL`` or an absolute ``ATOL_FRACTION`` (1e-12) of the largest,
    the first, which is 1: an absolute tolerance suited to numbers in [0, 1]. At the end of a long decay to
    0 the multipliers are tiny (2.5e-10 at the last of 100000 steps), and ``1 + cos(...)`` written as above
    cancels there: off by up to 3e-16, 7e-8 of so small a number, far more than ``RTOL``. It is right, and
    passes by the absolute tolerance (the library writes ``sin**2``, which keeps those digits).

    Parameters
    ----------
    fn : callable
        The learner's function, called as ``fn(steps, final)``.

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> import numpy as np
    >>> def cosine_schedule(steps, final):
    ...     k = np.arange(steps)
    ...     return final + (1 - final) * (1 + np.cos(np.pi * k / (steps - 1))) / 2
    >>> check_cosine_schedule(cosine_schedule)
    cosine_schedule: wrong result in case "steps = 10, final = 0.1".
      Known mistake: final reached at the last step. You divided k by steps - 1 (as
        `np.linspace(0, np.pi, steps)` does), so the last step has a learning rate of final, 0 if
        final = 0: a step that does not move. Divide by steps:
        final + (1 - final)*(1 + cos(pi*k/steps))/2 heads for final at step steps, one after the last (k
        runs from 0 to steps - 1).
    False
    """
    return _check(_COSINE_SCHEDULE, fn)


def check_adamw_step(fn) -> bool:
    """Check a learner's AdamW step, ``fn(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay)`` -> ``(x, m,
    v)``.

    Expected, as PyTorch's ``AdamW`` and :func:`lessons_lib.adamw_update` compute it, with ``t`` the number of
    this step (the first call has ``t = 1``) and ``g`` the gradient at the ``x`` passed in::

        x = x - lr * weight_decay * x                                (W1)  decoupled weight decay first
        m = beta1 * m + (1 - beta1) * g                              (D1)
        v = beta2 * v + (1 - beta2) * g**2                           (D2)
        m_hat = m / (1 - beta1**t);  v_hat = v / (1 - beta2**t)     (D3)
        x = x - lr * m_hat / (sqrt(v_hat) + eps)                     (D4)  from the decayed x

    Not Adam + L2, which adds ``weight_decay * x`` to ``g``: its decay would go through ``m`` and ``v`` and be
    divided by ``sqrt(v_hat)``.

    Parameters
    ----------
    fn : callable
        The learner's function; it returns the new ``x``, ``m`` and ``v`` (not ``t``: the caller counts).

    Returns
    -------
    bool
        True if every case is right; the feedback is printed.

    Examples
    --------
    >>> import numpy as np
    >>> def adamw_step(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    ...     g = g + weight_decay * x
    ...     m = beta1 * m + (1 - beta1) * g
    ...     v = beta2 * v + (1 - beta2) * g**2
    ...     m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    ...     return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    >>> check_adamw_step(adamw_step)
    adamw_step: wrong result in case "Python floats, eps = 1e-3, t = 1 to 3, weight_decay = 0.1", step 1
    of 3.
      Known mistake: Adam + L2, not AdamW. You added weight_decay*x to the gradient: that is Adam with
        an L2 penalty (torch.optim.Adam with weight_decay), not AdamW. The penalty then goes through m
        and v and is divided by sqrt(v_hat), so the weights with large gradients are hardly decayed.
        AdamW decouples the decay from the gradient: first x = x - lr*weight_decay*x, then Adam's step
        with g as it is.
    False
    """
    return _check(_ADAMW_STEP, fn)


# ------------------------------------------------------------------------------------------------------------
# After a check.


def yours_or_library(fn, passed: bool):
    """The learner's function if its check passed; otherwise the library's rule in its place, said plainly.

    The cells after an exercise use its function. Until the learner's function passes its check they use the
    library's rule instead, so that the rest of the lesson still runs; a printed line says so, so that nothing
    the library computes is taken for the learner's work.

    Parameters
    ----------
    fn : callable
        The learner's function, named as the exercise names it (``gd_step``, ``momentum_step``, ...): the name
        says which exercise it is.
    passed : bool
        What its check returned.

    Returns
    -------
    callable
        ``fn`` itself if ``passed`` (nothing is printed); otherwise the library's rule, called as ``fn`` is
        (the same parameters, the same results), after a line that names it.

    Examples
    --------
    >>> def gd_step(x, g, lr):
    ...     raise NotImplementedError
    >>> step = yours_or_library(gd_step, check_gd_step(gd_step))  # doctest: +ELLIPSIS
    gd_step: not done yet — ...
    gd_step: your function has not passed its check, so the rest of the lesson uses lessons_lib's
    `gd_update` in its place. Once it passes, run this cell again to use yours.
    >>> print(step(4.0, 4.0, 0.5))
    2.0
    >>> yours_or_library(abs, True) is abs
    True
    """
    if passed:
        return fn
    name = getattr(fn, "__name__", None)
    exercise = next((ex for ex in _EXERCISES if ex.name == name), None)
    if exercise is None:
        raise ValueError(
            f"yours_or_library: {name!r} is not the name of an exercise; pass the function the exercise "
            f"defines, one of {', '.join(ex.name for ex in _EXERCISES)}, as in "
            "yours_or_library(momentum_step, momentum_ok)."
        )
    return _library_in_place(exercise)
