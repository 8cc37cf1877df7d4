"""Every bad input to the public API gets a clear error: the owner, the parameter, what is allowed, what came.

One table of ``(id, call, expected)`` rows, as PyTorch's ``common_optimizers.py`` keeps its bad inputs:
``expected`` is a regular expression that must be found in the message, and it names the function or class and
the parameter. Each error must be a ``ValueError`` or a ``TypeError`` raised by lessons_lib's own checks, not
an ``IndexError``, ``AttributeError``, ``MemoryError`` or ``FloatingPointError`` from deep inside NumPy.

A second, smaller table holds inputs that must be *accepted* (integer arrays, lists, NumPy scalars, float32,
ints for float parameters), so that the checks cannot become too strict unnoticed.
"""

import math
import re
import traceback
import warnings
from pathlib import Path

import numpy as np
import pytest

import lessons_lib as ll
from lessons_lib import (
    Adagrad,
    Adam,
    AdamW,
    GradientDescent,
    Momentum,
    Problem,
    RMSProp,
    bias_correction,
    cosine_decay,
    double_well_2d,
    ewa,
    ewa_weights,
    forget_time,
    half_life,
    logistic_regression,
    matching_beta,
    mean_age,
    noise_variance_factor,
    noisy,
    quadratic,
    ravine,
    rosenbrock,
    rotated_ravine,
    run,
    softmax_regression,
    step_decay,
    warmup,
    window,
    with_l2,
)
from lessons_lib.optimizers import AdagradState, AdamState, GDState, MomentumState, RMSPropState
from lessons_lib.races import race
from lessons_lib.sweeps import sweep

NAN, INF = math.nan, math.inf
X = np.array([1.0, 2.0])
G = np.array([0.5, -0.5])
RAVINE = ravine(10)
LIB = str(Path(ll.__file__).parent)


def step(opt, x=X, g=G, state=None):
    """One step of ``opt`` from ``x`` with ``g``, from ``state`` (default: the optimizer's own init)."""
    return opt.step(x, g, opt.init(np.zeros(np.shape(x))) if state is None else state)


def bowl(**changes):
    """A small valid Problem, with some fields changed."""
    fields = dict(
        name="bowl",
        f=lambda x: np.sum(x**2, axis=-1),
        grad=lambda x: 2 * x,
        x0=np.array([1.0, -1.0]),
        bounds=((-2.0, 2.0), (-2.0, 2.0)),
        minimizer=np.zeros(2),
        f_min=0.0,
        mu=2.0,
        L=2.0,
    )
    return Problem(**(fields | changes))


def steep():
    """A problem with a gradient of 1e200 everywhere: its square overflows float64, its loss does not."""
    return Problem(
        name="steep",
        f=lambda x: np.sum(np.abs(x), axis=-1),
        grad=lambda x: 1e200 * np.where(x >= 0, 1.0, -1.0),
        x0=np.array([1.0, 1.0]),
        bounds=((-2.0, 2.0), (-2.0, 2.0)),
    )


def wrong_gradient_shape():
    return Problem(
        name="bad grad",
        f=lambda x: np.sum(x**2, axis=-1),
        grad=lambda x: np.ones(3),
        x0=np.array([1.0, -1.0]),
        bounds=((-2.0, 2.0), (-2.0, 2.0)),
    )


LR = {"GradientDescent": [0.01, 0.1]}

# ----------------------------------------------------------------------------------------------------
# Bad inputs: (id, call, expected message as a regular expression naming the owner and the parameter)

BAD = [
    # --- optimizer constructors: complex, strings, bools, arrays, NaN/inf, out of range
    ("Adam lr complex", lambda: Adam(lr=0.1 + 0j), r"Adam: lr must be a real number, got \(0\.1\+0j\)"),
    ("Adam lr array", lambda: Adam(lr=np.array([0.1, 0.2])), r"Adam: lr must be a real number"),
    (
        "GD lr string",
        lambda: GradientDescent(lr="0.1"),
        r"GradientDescent: lr must be a real number, got '0.1'",
    ),
    ("GD lr bool", lambda: GradientDescent(lr=True), r"GradientDescent: lr must be a real number, got True"),
    ("GD lr numpy bool", lambda: GradientDescent(lr=np.True_), r"GradientDescent: lr must be a real number"),
    ("GD lr None", lambda: GradientDescent(lr=None), r"GradientDescent: lr must be a real number, got None"),
    ("GD lr inf", lambda: GradientDescent(lr=INF), r"GradientDescent: lr must be finite and > 0, got inf"),
    ("Momentum beta NaN", lambda: Momentum(lr=0.1, beta=NAN), r"Momentum: beta must be a number, got nan"),
    ("Momentum beta 1", lambda: Momentum(lr=0.1, beta=1.0), r"Momentum: beta must be in \[0, 1\), got 1\.0"),
    (
        "Momentum nesterov 1.0",
        lambda: Momentum(lr=0.1, nesterov=1.0),
        r"Momentum: nesterov must be True or False",
    ),
    (
        "RMSProp momentum bool",
        lambda: RMSProp(lr=0.1, momentum=True),
        r"RMSProp: momentum must be a real number",
    ),
    (
        "RMSProp centered None",
        lambda: RMSProp(lr=0.1, centered=None),
        r"RMSProp: centered must be True or False",
    ),
    (
        "RMSProp eps_in_sqrt 1",
        lambda: RMSProp(lr=0.1, eps_in_sqrt=1),
        r"RMSProp: eps_in_sqrt must be True or False",
    ),
    (
        "Adagrad initial_accumulator inf",
        lambda: Adagrad(lr=0.1, initial_accumulator=INF),
        r"Adagrad: initial_accumulator must be finite and >= 0, got inf",
    ),
    ("Adagrad eps complex", lambda: Adagrad(lr=0.1, eps=1e-8j), r"Adagrad: eps must be a real number"),
    ("Adam beta2 1", lambda: Adam(lr=0.1, beta2=1.0), r"Adam: beta2 must be in \[0, 1\), got 1\.0"),
    ("Adam beta1 -0", lambda: Adam(lr=0.1, beta1=-0.5), r"Adam: beta1 must be in \[0, 1\), got -0\.5"),
    (
        "replace unknown name",
        lambda: Adam(lr=0.1).replace(beta=0.5),
        r"Adam\.replace: the names must be hyperparameters of Adam \(lr, beta1, beta2, eps\), got 'beta'",
    ),
    (
        "max_stable_lr negative",
        lambda: GradientDescent(lr=0.1).max_stable_lr(-1.0),
        r"GradientDescent\.max_stable_lr: curvature must be finite and > 0, got -1\.0",
    ),
    (
        "max_stable_lr string",
        lambda: Momentum(lr=0.1).max_stable_lr("10"),
        r"Momentum\.max_stable_lr: curvature must be a real number",
    ),
    # --- step: x and g
    (
        "step complex x",
        lambda: step(Adam(lr=0.1), x=[1 + 2j, 0]),
        r"Adam\.step: x must be an array of real numbers, got complex",
    ),
    (
        "step complex g",
        lambda: step(Adam(lr=0.1), g=np.array([1j, 0])),
        r"Adam\.step: g must be an array of real numbers, got complex",
    ),
    (
        "step string g",
        lambda: step(GradientDescent(lr=0.1), g=["1", "2"]),
        r"GradientDescent\.step: g must be an array of real numbers, got strings",
    ),
    (
        "step string x",
        lambda: GradientDescent(lr=0.1).step("12", G, GDState()),
        r"GradientDescent\.step: x must be an array of real numbers, got the string '12'",
    ),
    (
        "step object x",
        lambda: step(Momentum(lr=0.1), x=np.array([1.0, None])),
        r"Momentum\.step: x must be an array of real numbers, got Python objects",
    ),
    (
        "step bool x",
        lambda: step(Adagrad(lr=0.1), x=[True, False]),
        r"Adagrad\.step: x must be an array of real numbers, got booleans",
    ),
    (
        "step bool g",
        lambda: step(Adagrad(lr=0.1), g=np.array([True, False])),
        r"Adagrad\.step: g must be an array of real numbers, got booleans",
    ),
    (
        "step None g",
        lambda: RMSProp(lr=0.1).step(X, None, RMSProp(lr=0.1).init(X)),
        r"RMSProp\.step: g must be an array of real numbers, got None",
    ),
    (
        "step ragged x",
        lambda: Adam(lr=0.1).step([[1.0, 2.0], [3.0]], G, Adam(lr=0.1).init(X)),
        r"Adam\.step: x must be an array of real numbers with a regular shape",
    ),
    (
        "step g shape",
        lambda: step(Adam(lr=0.1), g=np.ones((2, 1))),
        r"Adam\.step: g must have the shape of x, \(2,\), got shape \(2, 1\)",
    ),
    # --- step: the state
    (
        "state (1,) for a 2-D batch",
        lambda: Momentum(lr=0.1).step(np.ones((3, 2)), np.ones((3, 2)), MomentumState(np.zeros(1))),
        r"Momentum\.step: state\.v must have the shape of x, \(3, 2\), got shape \(1,\)",
    ),
    (
        "Adagrad state wrong shape",
        lambda: step(Adagrad(lr=0.1), state=AdagradState(np.zeros(3))),
        r"Adagrad\.step: state\.s must have the shape of x, \(2,\), got shape \(3,\)",
    ),
    (
        "Adam state m wrong shape",
        lambda: step(Adam(lr=0.1), state=AdamState(np.zeros((2, 1)), np.zeros(2))),
        r"Adam\.step: state\.m must have the shape of x",
    ),
    (
        "centered state to plain RMSProp",
        lambda: step(RMSProp(lr=0.1), state=RMSProp(lr=0.1, centered=True).init(X)),
        r"RMSProp\.step: state\.m must be None for RMSProp\(lr=0\.1\), got an array\. "
        r"This state comes from RMSProp with centered=True",
    ),
    (
        "plain state to centered RMSProp",
        lambda: step(RMSProp(lr=0.1, centered=True), state=RMSProp(lr=0.1).init(X)),
        r"RMSProp\.step: state\.m must be an array of the shape of x, got None",
    ),
    (
        "momentum state to plain RMSProp",
        lambda: step(RMSProp(lr=0.1), state=RMSProp(lr=0.1, momentum=0.5).init(X)),
        r"RMSProp\.step: state\.v must be None .* momentum > 0",
    ),
    (
        "plain state to RMSProp with momentum",
        lambda: step(RMSProp(lr=0.1, momentum=0.5), state=RMSPropState(np.zeros(2))),
        r"RMSProp\.step: state\.v must be an array of the shape of x, got None",
    ),
    (
        "MomentumState to Adam",
        lambda: step(Adam(lr=0.1), state=MomentumState(np.zeros(2))),
        r"Adam\.step: state must be the AdamState returned by init\(\) .* got MomentumState",
    ),
    (
        "tuple to Adam",
        lambda: step(Adam(lr=0.1), state=(np.zeros(2), np.zeros(2), 0)),
        r"Adam\.step: state must be the AdamState .* got tuple; a plain tuple is not enough",
    ),
    (
        "AdamState to GradientDescent",
        lambda: step(GradientDescent(lr=0.1), state=Adam(lr=0.1).init(X)),
        r"GradientDescent\.step: state must be the GDState .* got AdamState",
    ),
    (
        "None state",
        lambda: Momentum(lr=0.1).step(X, G, None),
        r"Momentum\.step: state must be the MomentumState .* got NoneType",
    ),
    (
        "Adam t = 1.5",
        lambda: step(Adam(lr=0.1), state=AdamState(np.zeros(2), np.zeros(2), 1.5)),
        r"Adam\.step: state\.t must be a whole number >= 0, got 1\.5",
    ),
    (
        "Adam t = -1",
        lambda: step(Adam(lr=0.1), state=AdamState(np.zeros(2), np.zeros(2), -1)),
        r"Adam\.step: state\.t must be a whole number >= 0, got -1",
    ),
    (
        "Adam t = True",
        lambda: step(Adam(lr=0.1), state=AdamState(np.zeros(2), np.zeros(2), True)),
        r"Adam\.step: state\.t must be a whole number >= 0, got True",
    ),
    (
        "Adam t = NaN",
        lambda: step(Adam(lr=0.1), state=AdamState(np.zeros(2), np.zeros(2), NAN)),
        r"Adam\.step: state\.t must be a whole number >= 0, got nan",
    ),
    (
        "GD t = 2.0",
        lambda: step(GradientDescent(lr=0.1), state=GDState(2.0)),
        r"GradientDescent\.step: state\.t must be a whole number >= 0, got 2\.0",
    ),
    (
        "complex state",
        lambda: step(Adam(lr=0.1), state=AdamState(np.zeros(2, complex), np.zeros(2))),
        r"Adam\.step: state\.m must be an array of real numbers, got complex",
    ),
    (
        "string state",
        lambda: step(Momentum(lr=0.1), state=MomentumState("ab")),
        r"Momentum\.step: state\.v must be an array of real numbers, got the string",
    ),
    # --- step: a gradient whose square overflows
    (
        "Adam g 1e200",
        lambda: step(Adam(lr=0.1), g=[1e200, 1.0]),
        r"Adam\.step: g must be below 1\.34e\+154 in size for Adam, got a gradient of size 1e\+200",
    ),
    (
        "RMSProp g 1e200",
        lambda: step(RMSProp(lr=0.1), g=[1e200, 1.0]),
        r"RMSProp\.step: g must be below 1\.34e\+154 .* state\.s becomes inf and the step would silently be "
        r"0",
    ),
    (
        "centered RMSProp g -1e160",
        lambda: step(RMSProp(lr=0.1, centered=True), g=[-1e160, 1.0]),
        r"RMSProp\.step: g must be below .* got a gradient of size 1e\+160",
    ),
    (
        "Adagrad g 1e155",
        lambda: step(Adagrad(lr=0.1), g=[1e155, 0.0]),
        r"Adagrad\.step: g must be below .* size 1e\+155",
    ),
    (
        "Adagrad sum overflows",
        lambda: step(Adagrad(lr=0.1), g=[1e154, 0.0], state=AdagradState(np.array([1.7e308, 0.0]))),
        r"Adagrad\.step: Adagrad's state\.s \(its squared gradients\) must stay finite, got inf",
    ),
    (
        "effective_lr bad state",
        lambda: Adam(lr=0.1).effective_lr(X, None),
        r"Adam\.effective_lr: state must be the AdamState",
    ),
    (
        "effective_lr state shape",
        lambda: RMSProp(lr=0.1).effective_lr(np.ones((2, 2)), RMSPropState(np.ones(1))),
        r"RMSProp\.effective_lr: state\.s must have the shape of x, \(2, 2\), got shape \(1,\)",
    ),
    # --- init
    (
        "init string",
        lambda: Adam(lr=0.1).init("ab"),
        r"Adam\.init: x must be an array of real numbers, got the string 'ab'",
    ),
    (
        "init complex",
        lambda: Momentum(lr=0.1).init([1 + 1j]),
        r"Momentum\.init: x must be an array of real numbers, got complex",
    ),
    (
        "init None",
        lambda: GradientDescent(lr=0.1).init(None),
        r"GradientDescent\.init: x must be an array of real numbers, got None",
    ),
    # --- run
    (
        "run seed -1",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 5, seed=-1),
        r"run: seed must be None or a whole number >= 0, got -1",
    ),
    (
        "run seed 1.5",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 5, seed=1.5),
        r"run: seed must be None or a whole number >= 0, got 1\.5",
    ),
    (
        "run seed string",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 5, seed="0"),
        r"run: seed must be None or a whole number >= 0, got '0'",
    ),
    (
        "run seed bool",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 5, seed=True),
        r"run: seed must be None or a whole number >= 0, got True",
    ),
    (
        "run 10**12 steps",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 10**12),
        r"run: steps = 1000000000000 with a start of shape \(2,\) must fit in 4 GiB of memory .* "
        r"got a request for 21\.8 TiB",
    ),
    (
        "run steps 2.7",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 2.7),
        r"run: steps must be a whole number >= 0, got 2\.7",
    ),
    (
        "run steps None",
        lambda: run(GradientDescent(lr=0.1), RAVINE, None),
        r"run: steps must be a whole number >= 0, got None",
    ),
    (
        "run steps string",
        lambda: run(GradientDescent(lr=0.1), RAVINE, "10"),
        r"run: steps must be a whole number >= 0, got '10'",
    ),
    (
        "run blowup 0",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 5, blowup=0),
        r"run: blowup must be finite and > 0, got 0\.0",
    ),
    (
        "run blowup NaN",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 5, blowup=NAN),
        r"run: blowup must be a number, got nan",
    ),
    (
        "run blowup inf",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 5, blowup=INF),
        r"run: blowup must be finite and > 0, got inf",
    ),
    (
        "run blowup -1",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 5, blowup=-1),
        r"run: blowup must be finite and > 0, got -1\.0",
    ),
    (
        "run keep_states",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 5, keep_states="yes"),
        r"run: keep_states must be True or False, got 'yes'",
    ),
    (
        "run NaN start",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 5, x0=[NAN, 0.0]),
        r"run: x0 must be finite, got a start with nan",
    ),
    (
        "run inf start",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 5, x0=[1.0, -INF]),
        r"run: x0 must be finite, got a start with -inf",
    ),
    (
        "run huge start",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 5, x0=[1e200, 1.0]),
        r"run: x0 must be small enough for f to be computed, got a start with coordinates up to 1e\+200, .*"
        r"That is not a divergence",
    ),
    (
        "run complex start",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 5, x0=[1 + 1j, 0]),
        r"run: x0 must be an array of real numbers, got complex",
    ),
    (
        "run string start",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 5, x0=["1", "2"]),
        r"run: x0 must be an array of real numbers, got strings",
    ),
    (
        "run bool start",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 5, x0=[True, False]),
        r"run: x0 must be an array of real numbers, got booleans",
    ),
    (
        "run ragged start",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 5, x0=[[1.0, 2.0], [3.0]]),
        r"run: x0 must be an array of real numbers with a regular shape",
    ),
    (
        "run optimizer str",
        lambda: run("adam", RAVINE, 5),
        r"run: optimizer must be a lessons_lib optimizer, got str",
    ),
    (
        "run problem None",
        lambda: run(Adam(lr=0.1), None, 5),
        r"run: problem must be a lessons_lib Problem, got NoneType",
    ),
    (
        "run g**2 overflows",
        lambda: run(Adam(lr=0.1), steep(), 5),
        r"run \(step 1\): g must be below 1\.34e\+154 in size for Adam, got a gradient of size 1e\+200",
    ),
    (
        "run RMSProp g**2 overflows",
        lambda: run(RMSProp(lr=0.1), steep(), 5, x0=np.ones((3, 2))),
        r"run \(step 1\): g must be below .* for RMSProp",
    ),
    (
        "run gradient shape",
        lambda: run(Adam(lr=0.1), wrong_gradient_shape(), 5),
        r"run: the gradient of bad grad must have the shape of the point, \(2,\), got shape \(3,\)",
    ),
    (
        "Trajectory.steps_to tol",
        lambda: run(Adam(lr=0.1), RAVINE, 5).steps_to("small"),
        r"Trajectory\.steps_to: tol must be an array of real numbers, got the string 'small'",
    ),
    # --- sweep
    (
        "sweep seed -1",
        lambda: sweep(Adam(lr=0.1), RAVINE, 5, seed=-1),
        r"sweep: seed must be None or a whole number >= 0, got -1",
    ),
    (
        "sweep every 2.5",
        lambda: sweep(Adam(lr=0.1), RAVINE, 5, every=2.5),
        r"sweep: every must be a whole number >= 1, got 2\.5",
    ),
    (
        "sweep steps bool",
        lambda: sweep(Adam(lr=0.1), RAVINE, False),
        r"sweep: steps must be a whole number >= 0, got False",
    ),
    (
        "sweep grid complex",
        lambda: sweep(Adam(lr=0.1), RAVINE, 5, grid={"lr": [0.1 + 1j]}),
        r"sweep: the values of lr must be an array of real numbers, got complex",
    ),
    (
        "sweep grid strings",
        lambda: sweep(Adam(lr=0.1), RAVINE, 5, grid={"lr": ["0.1"]}),
        r"sweep: the values of lr must be an array of real numbers, got strings",
    ),
    (
        "sweep grid bools",
        lambda: sweep(Adam(lr=0.1), RAVINE, 5, grid={"lr": [True]}),
        r"sweep: the values of lr must be an array of real numbers, got booleans",
    ),
    (
        "sweep too big",
        lambda: sweep(Adam(lr=0.1), RAVINE, 10**9, RAVINE.random_starts(50), grid={"lr": [0.1, 1.0]}),
        r"sweep: steps = 1000000000 recorded every 1 for 100 runs of 2 coordinates must fit in 4 GiB",
    ),
    (
        "sweep blowup 0",
        lambda: sweep(Adam(lr=0.1), RAVINE, 5, blowup=0.0),
        r"sweep: blowup must be finite and > 0, got 0\.0",
    ),
    (
        "sweep keep_points",
        lambda: sweep(Adam(lr=0.1), RAVINE, 5, keep_points=1),
        r"sweep: keep_points must be True or False, got 1",
    ),
    ("sweep NaN start", lambda: sweep(Adam(lr=0.1), RAVINE, 5, x0=[NAN, 1.0]), r"sweep: x0 must be finite"),
    (
        "sweep huge start",
        lambda: sweep(Adam(lr=0.1), RAVINE, 5, x0=[1.0, 1e300]),
        r"sweep: x0 must be small enough for f to be computed",
    ),
    (
        "sweep g**2 overflows",
        lambda: sweep(Adam(lr=0.1), steep(), 5, grid={"lr": [0.1, 1.0]}),
        r"sweep \(step 1\): g must be below 1\.34e\+154 in size for Adam",
    ),
    (
        "Sweep.steps_to tol",
        lambda: sweep(Adam(lr=0.1), RAVINE, 5).steps_to(NAN),
        r"Sweep\.steps_to: tol must be >= 0 \(one number, or one per run\), got nan",
    ),
    (
        "sweep grid pair AdamW lr * weight_decay >= 1",
        lambda: sweep(AdamW(lr=0.1), RAVINE, 5, grid={"lr": [0.1, 0.9], "weight_decay": [0.1, 1.5]}),
        r"sweep: the grid's setting lr = 0\.9, weight_decay = 1\.5 is not one the optimizer accepts: AdamW: "
        r"lr \* weight_decay must be < 1",
    ),
    (
        "sweep grid not a dict",
        lambda: sweep(Adam(lr=0.1), RAVINE, 5, grid=[0.1, 1.0]),
        r"sweep: grid must be None or a dict of hyperparameter name -> values, got \[0\.1, 1\.0\]",
    ),
    # --- learning-rate schedules: the multipliers, and the schedule= of run and sweep
    (
        "step_decay steps 0",
        lambda: step_decay(0, every=1),
        r"step_decay: steps must be a whole number >= 1, got 0",
    ),
    (
        "step_decay every 0",
        lambda: step_decay(5, every=0),
        r"step_decay: every must be a whole number >= 1, got 0",
    ),
    ("step_decay every float", lambda: step_decay(5, every=2.5), r"step_decay: every must be a whole number"),
    (
        "step_decay factor 0",
        lambda: step_decay(5, every=2, factor=0),
        r"step_decay: factor must be finite and > 0",
    ),
    (
        "step_decay factor 10",
        lambda: step_decay(5, every=2, factor=10),
        r"step_decay: factor must be in \(0, 1\], got 10\.0\. .*give factor = 0\.1",
    ),
    (
        "step_decay factor NaN",
        lambda: step_decay(5, every=2, factor=NAN),
        r"step_decay: factor must be a number",
    ),
    (
        "step_decay factor str",
        lambda: step_decay(5, every=2, factor="0.1"),
        r"step_decay: factor must be a real",
    ),
    (
        "step_decay underflow",
        lambda: step_decay(2000, every=1, factor=0.1),
        r"step_decay: the multipliers must stay > 0, got 0\.1\*\*1999 = 0\.0",
    ),
    (
        "cosine_decay steps 0",
        lambda: cosine_decay(0),
        r"cosine_decay: steps must be a whole number >= 1, got 0",
    ),
    (
        "cosine_decay steps float",
        lambda: cosine_decay(10.0),
        r"cosine_decay: steps must be a whole number >= 1",
    ),
    (
        "cosine_decay final < 0",
        lambda: cosine_decay(5, final=-0.1),
        r"cosine_decay: final must be in \[0, 1\]",
    ),
    (
        "cosine_decay final > 1",
        lambda: cosine_decay(5, final=1.5),
        r"cosine_decay: final must be in \[0, 1\].*rise",
    ),
    ("cosine_decay final NaN", lambda: cosine_decay(5, final=NAN), r"cosine_decay: final must be a number"),
    (
        "cosine_decay final None",
        lambda: cosine_decay(5, final=None),
        r"cosine_decay: final must be a real number",
    ),
    (
        "warmup steps 0",
        lambda: warmup(0, warmup_steps=1),
        r"warmup: steps must be a whole number >= 1, got 0",
    ),
    (
        "warmup 0 steps",
        lambda: warmup(5, warmup_steps=0),
        r"warmup: warmup_steps must be a whole number >= 1",
    ),
    (
        "warmup longer than the run",
        lambda: warmup(5, warmup_steps=6),
        r"warmup: warmup_steps must be at most the 5 steps of the run, got 6",
    ),
    (
        "warmup then too short",
        lambda: warmup(5, warmup_steps=2, then=np.ones(4)),
        r"warmup: then must hold one learning-rate multiplier per step, shape \(5,\), got shape \(4,\)",
    ),
    (
        "warmup then with a 0",
        lambda: warmup(5, warmup_steps=2, then=[1, 1, 1, 1, 0]),
        r"warmup: then must hold finite multipliers > 0, got 0\.0 at step 4",
    ),
    (
        "warmup then str",
        lambda: warmup(5, warmup_steps=2, then="cosine"),
        r"warmup: then must be an array of real",
    ),
    (
        "run schedule too short",
        lambda: run(Adam(lr=0.1), RAVINE, 5, schedule=np.ones(3)),
        r"run: schedule must hold one learning-rate multiplier per step, shape \(5,\), got shape \(3,\)",
    ),
    (
        "run schedule 2-D",
        lambda: run(Adam(lr=0.1), RAVINE, 2, schedule=np.ones((2, 2))),
        r"run: schedule must hold one learning-rate multiplier per step, shape \(2,\), got shape \(2, 2\)",
    ),
    (
        "run schedule scalar",
        lambda: run(Adam(lr=0.1), RAVINE, 5, schedule=0.5),
        r"run: schedule must hold one learning-rate multiplier per step, shape \(5,\), got shape \(\)",
    ),
    (
        "run schedule 0",
        lambda: run(Adam(lr=0.1), RAVINE, 3, schedule=[0.0, 0.5, 1.0]),
        r"run: schedule must hold finite multipliers > 0, got 0\.0 at step 0: a step with lr = 0 does not",
    ),
    (
        "run schedule negative",
        lambda: run(Adam(lr=0.1), RAVINE, 3, schedule=[1.0, -0.5, 1.0]),
        r"run: schedule must hold finite multipliers > 0, got -0\.5 at step 1: a negative multiplier",
    ),
    (
        "run schedule NaN",
        lambda: run(Adam(lr=0.1), RAVINE, 3, schedule=[1.0, 1.0, NAN]),
        r"run: schedule must hold finite multipliers > 0, got nan at step 2",
    ),
    (
        "run schedule inf",
        lambda: run(Adam(lr=0.1), RAVINE, 3, schedule=[INF, 1.0, 1.0]),
        r"run: schedule must hold finite multipliers > 0, got inf at step 0",
    ),
    (
        "run schedule complex",
        lambda: run(Adam(lr=0.1), RAVINE, 2, schedule=[1j, 1]),
        r"run: schedule must be an",
    ),
    (
        "run schedule bools",
        lambda: run(Adam(lr=0.1), RAVINE, 2, schedule=[True, True]),
        r"run: schedule must be",
    ),
    (
        "run schedule lr overflows",
        lambda: run(GradientDescent(lr=10.0), RAVINE, 2, schedule=[1.0, 1e308]),
        r"run: every learning rate of the schedule must be one GradientDescent accepts, got lr = 10\.0 times "
        r"1e\+308, and then: GradientDescent: lr must be finite and > 0, got inf",
    ),
    (
        "run schedule AdamW decay past 1",
        lambda: run(AdamW(lr=0.1, weight_decay=5.0), RAVINE, 2, schedule=[1.0, 2.0]),
        r"run: every learning rate of the schedule must be one AdamW accepts, .* weight_decay must be < 1",
    ),
    (
        "sweep schedule too long",
        lambda: sweep(Adam(lr=0.1), RAVINE, 5, grid={"lr": [0.1, 1.0]}, schedule=np.ones(6)),
        r"sweep: schedule must hold one learning-rate multiplier per step, shape \(5,\), got shape \(6,\)",
    ),
    (
        "sweep schedule 0",
        lambda: sweep(Adam(lr=0.1), RAVINE, 2, schedule=[1.0, 0.0]),
        r"sweep: schedule must hold finite multipliers > 0, got 0\.0 at step 1",
    ),
    (
        "sweep schedule AdamW corner",
        lambda: sweep(AdamW(lr=0.1, weight_decay=2.0), RAVINE, 2, grid={"lr": [0.1, 0.4]}, schedule=[1, 1.5]),
        r"sweep: every learning rate of the schedule must be one AdamW accepts, got lr = 0\.4 times 1\.5",
    ),
    # --- race
    (
        "race problems not a list",
        lambda: race(RAVINE, [GradientDescent(lr=0.1)], LR, starts=3, steps=5),
        r"race: problems must be a list of lessons_lib Problems or a dict",
    ),
    (
        "race optimizers None",
        lambda: race([RAVINE], None, LR, starts=3, steps=5),
        r"race: optimizers must be a list of lessons_lib optimizers or a dict",
    ),
    (
        "race seed -1",
        lambda: race([RAVINE], [GradientDescent(lr=0.1)], LR, starts=3, steps=5, seed=-1),
        r"race: seed must be None or a whole number >= 0, got -1",
    ),
    (
        "race starts 2.7",
        lambda: race([RAVINE], [GradientDescent(lr=0.1)], LR, starts=2.7, steps=5),
        r"race: starts must be a whole number >= 1 or a dict of arrays, got 2\.7",
    ),
    (
        "race starts bool",
        lambda: race([RAVINE], [GradientDescent(lr=0.1)], LR, starts=True, steps=5),
        r"race: starts must be a whole number >= 1 or a dict of arrays, got True",
    ),
    (
        "race steps bool",
        lambda: race([RAVINE], [GradientDescent(lr=0.1)], LR, starts=3, steps=True),
        r"race: steps of 'ravine\(κ=10\)' must be a whole number >= 1, got True",
    ),
    (
        "race every 0",
        lambda: race([RAVINE], [GradientDescent(lr=0.1)], LR, starts=3, steps=5, every=0),
        r"race: every must be a whole number >= 1, got 0",
    ),
    (
        "race complex starts",
        lambda: race(
            [RAVINE], [GradientDescent(lr=0.1)], LR, starts={"ravine(κ=10)": np.ones((3, 2)) * 1j}, steps=5
        ),
        r"race: the starts of 'ravine\(κ=10\)' must be an array of real numbers, got complex",
    ),
    (
        "race NaN starts",
        lambda: race(
            [RAVINE], [GradientDescent(lr=0.1)], LR, starts={"ravine(κ=10)": np.full((3, 2), NAN)}, steps=5
        ),
        r"race: the starts of 'ravine\(κ=10\)' must be finite",
    ),
    (
        "race complex lr grid",
        lambda: race([RAVINE], [GradientDescent(lr=0.1)], {"GradientDescent": [0.1j]}, starts=3, steps=5),
        r"race: the lr grid of GradientDescent must be an array of real numbers, got complex",
    ),
    # --- Problem methods
    (
        "random_starts 2.7",
        lambda: RAVINE.random_starts(2.7),
        r"Problem\.random_starts: n must be a whole number >= 1, got 2\.7",
    ),
    (
        "random_starts bool",
        lambda: RAVINE.random_starts(True),
        r"Problem\.random_starts: n must be a whole number >= 1, got True",
    ),
    (
        "random_starts -3",
        lambda: RAVINE.random_starts(-3),
        r"Problem\.random_starts: n must be a whole number >= 1, got -3",
    ),
    (
        "random_starts seed -1",
        lambda: RAVINE.random_starts(3, seed=-1),
        r"Problem\.random_starts: seed must be None or a whole number >= 0, got -1",
    ),
    (
        "start_grid 2.5",
        lambda: RAVINE.start_grid(2.5),
        r"Problem\.start_grid: n_per_axis must be a whole number >= 1, got 2\.5",
    ),
    (
        "start_grid 0",
        lambda: RAVINE.start_grid(0),
        r"Problem\.start_grid: n_per_axis must be a whole number >= 1, got 0",
    ),
    (
        "start_grid margin 0.5",
        lambda: RAVINE.start_grid(5, margin=0.5),
        r"Problem\.start_grid: margin must be in \[0, 0\.5\), got 0\.5",
    ),
    (
        "start_grid margin string",
        lambda: RAVINE.start_grid(5, margin="0.1"),
        r"Problem\.start_grid: margin must be a real number",
    ),
    (
        "start_grid too big",
        lambda: RAVINE.start_grid(10**6),
        r"Problem\.start_grid: n_per_axis = 1000000 in 2 dimensions must fit in 4 GiB",
    ),
    (
        "gap string",
        lambda: RAVINE.gap("x"),
        r"Problem\.gap: x must be an array of real numbers, got the string 'x'",
    ),
    (
        "gap wrong shape",
        lambda: RAVINE.gap([1.0, 2.0, 3.0]),
        r"Problem\.gap: x must have 2 coordinates on its last axis",
    ),
    # --- problem makers
    (
        "quadratic []",
        lambda: quadratic([]),
        r"quadratic: H must be a symmetric square matrix, d × d with d >= 1, got shape \(0,\)",
    ),
    (
        "quadratic 0x0",
        lambda: quadratic(np.zeros((0, 0))),
        r"quadratic: H must be a symmetric square matrix, d × d with d >= 1, got shape \(0, 0\)",
    ),
    (
        "quadratic non-square",
        lambda: quadratic(np.ones((2, 3))),
        r"quadratic: H must be a symmetric square matrix, d × d with d >= 1, got shape \(2, 3\)",
    ),
    (
        "quadratic non-symmetric",
        lambda: quadratic([[1.0, 2.0], [0.0, 1.0]]),
        r"quadratic: H must be a symmetric square matrix, got one with H\[i, j\] != H\[j, i\]",
    ),
    (
        "quadratic not positive definite",
        lambda: quadratic([[1.0, 0.0], [0.0, -1.0]]),
        r"quadratic: H must be positive definite, got a smallest eigenvalue of -1",
    ),
    (
        "quadratic complex",
        lambda: quadratic([[1.0, 2j], [-2j, 1.0]]),
        r"quadratic: H must be an array of real numbers, got complex",
    ),
    ("quadratic NaN", lambda: quadratic([[1.0, NAN], [NAN, 1.0]]), r"quadratic: H must be finite, got nan"),
    (
        "quadratic string",
        lambda: quadratic("abc"),
        r"quadratic: H must be an array of real numbers, got the string 'abc'",
    ),
    (
        "quadratic x0 shape",
        lambda: quadratic(np.eye(2), x0=[1.0, 2.0, 3.0]),
        r"quadratic: x0 must be one point of the d = 2 coordinates of H, got shape \(3,\)",
    ),
    (
        "quadratic bounds reversed",
        lambda: quadratic(np.eye(2), bounds=[(1.0, -1.0), (0.0, 1.0)]),
        r"Problem 'quadratic': bounds must be one \(low, high\) pair with low < high",
    ),
    ("rosenbrock b -1", lambda: rosenbrock(b=-1), r"rosenbrock: b must be finite and > 0, got -1\.0"),
    ("rosenbrock b 0", lambda: rosenbrock(b=0), r"rosenbrock: b must be finite and > 0, got 0\.0"),
    ("rosenbrock a NaN", lambda: rosenbrock(a=NAN), r"rosenbrock: a must be a number, got nan"),
    (
        "rosenbrock a huge",
        lambda: rosenbrock(a=1e200),
        r"rosenbrock: a must be in \[-1000, 1000\], got 1e\+200",
    ),
    ("rosenbrock a string", lambda: rosenbrock(a="1"), r"rosenbrock: a must be a real number, got '1'"),
    ("ravine complex", lambda: ravine(10 + 1j), r"ravine: condition_number must be a real number"),
    ("ravine bool", lambda: ravine(True), r"ravine: condition_number must be a real number, got True"),
    (
        "rotated_ravine angle NaN",
        lambda: rotated_ravine(10, NAN),
        r"rotated_ravine: angle_degrees must be a number, got nan",
    ),
    (
        "rotated_ravine angle inf",
        lambda: rotated_ravine(10, INF),
        r"rotated_ravine: angle_degrees must be finite, got inf",
    ),
    (
        "double_well_2d NaN",
        lambda: double_well_2d(NAN),
        r"double_well_2d: coupling must be a number, got nan",
    ),
    ("noisy string", lambda: noisy("x"), r"noisy: problem must be a lessons_lib Problem, got str"),
    ("noisy sigma complex", lambda: noisy(RAVINE, sigma=1j), r"noisy: sigma must be a real number"),
    ("noisy sigma bool", lambda: noisy(RAVINE, sigma=True), r"noisy: sigma must be a real number, got True"),
    # --- AdamW and the L2 penalty it is compared with
    (
        "AdamW weight_decay negative",
        lambda: AdamW(lr=0.1, weight_decay=-0.01),
        r"AdamW: weight_decay must be finite and >= 0, got -0\.01\. .*push x away from 0",
    ),
    (
        "AdamW weight_decay NaN",
        lambda: AdamW(lr=0.1, weight_decay=NAN),
        r"AdamW: weight_decay must be a number",
    ),
    (
        "AdamW weight_decay inf",
        lambda: AdamW(lr=0.1, weight_decay=INF),
        r"AdamW: weight_decay must be finite and >= 0, got inf",
    ),
    (
        "AdamW weight_decay string",
        lambda: AdamW(lr=0.1, weight_decay="0.01"),
        r"AdamW: weight_decay must be a real number, got '0\.01'",
    ),
    (
        "AdamW weight_decay bool",
        lambda: AdamW(lr=0.1, weight_decay=True),
        r"AdamW: weight_decay must be a real number, got True",
    ),
    (
        "AdamW weight_decay array",
        lambda: AdamW(lr=0.1, weight_decay=np.array([0.1, 0.2])),
        r"AdamW: weight_decay must be a real number",
    ),
    (
        "AdamW lr * weight_decay = 1",
        lambda: AdamW(lr=0.5, weight_decay=2.0),
        r"AdamW: lr \* weight_decay must be < 1, got 0\.5 \* 2\.0 = 1\. .*sets x to 0",
    ),
    (
        "AdamW lr * weight_decay > 1",
        lambda: AdamW(lr=0.1, weight_decay=50.0),
        r"AdamW: lr \* weight_decay must be < 1, got 0\.1 \* 50\.0 = 5\. .*flips its sign",
    ),
    (
        "AdamW replace to lr * weight_decay > 1",
        lambda: AdamW(lr=0.1, weight_decay=5.0).replace(lr=0.5),
        r"AdamW: lr \* weight_decay must be < 1, got 0\.5 \* 5\.0 = 2\.5",
    ),
    ("AdamW lr NaN", lambda: AdamW(lr=NAN), r"AdamW: lr must be a number, got nan"),
    ("AdamW beta1 1", lambda: AdamW(lr=0.1, beta1=1.0), r"AdamW: beta1 must be in \[0, 1\), got 1\.0"),
    (
        "AdamW replace unknown name",
        lambda: AdamW(lr=0.1).replace(wd=0.5),
        r"AdamW\.replace: the names must be hyperparameters of AdamW \(lr, beta1, beta2, eps, weight_decay\)",
    ),
    (
        "MomentumState to AdamW",
        lambda: step(AdamW(lr=0.1), state=MomentumState(np.zeros(2))),
        r"AdamW\.step: state must be the AdamState returned by init\(\) .* got MomentumState",
    ),
    (
        "AdamW g 1e200",
        lambda: step(AdamW(lr=0.1), g=[1e200, 1.0]),
        r"AdamW\.step: g must be below 1\.34e\+154 in size for AdamW",
    ),
    (
        "AdamW replace weight_decay negative",
        lambda: AdamW(lr=0.1).replace(weight_decay=-1.0),
        r"AdamW: weight_decay must be finite and >= 0, got -1\.0",
    ),
    (
        "sweep AdamW weight_decay grid past 1 / lr",
        lambda: sweep(AdamW(lr=0.1), RAVINE, 5, grid={"weight_decay": [0.1, 10.0]}),
        r"AdamW: lr \* weight_decay must be < 1, got 0\.1 \* 10\.0 = 1",
    ),
    (
        "with_l2 string",
        lambda: with_l2("ravine", 0.1),
        r"with_l2: problem must be a lessons_lib Problem, got str",
    ),
    ("with_l2 l2 negative", lambda: with_l2(RAVINE, -0.5), r"with_l2: l2 must be finite and >= 0, got -0\.5"),
    ("with_l2 l2 NaN", lambda: with_l2(RAVINE, NAN), r"with_l2: l2 must be a number, got nan"),
    ("with_l2 l2 inf", lambda: with_l2(RAVINE, INF), r"with_l2: l2 must be finite and >= 0, got inf"),
    ("with_l2 l2 complex", lambda: with_l2(RAVINE, 0.1j), r"with_l2: l2 must be a real number"),
    ("with_l2 l2 None", lambda: with_l2(RAVINE, None), r"with_l2: l2 must be a real number, got None"),
    (
        "logistic standardize",
        lambda: logistic_regression(standardize="yes"),
        r"logistic_regression: standardize must be True or False, got 'yes'",
    ),
    (
        "logistic batch_size -5",
        lambda: logistic_regression(batch_size=-5),
        r"logistic_regression: batch_size must be a whole number >= 1, got -5",
    ),
    (
        "logistic l2 NaN",
        lambda: logistic_regression(l2=NAN),
        r"logistic_regression: l2 must be a number, got nan",
    ),
    (
        "softmax batch_size 2.0",
        lambda: softmax_regression(batch_size=2.0),
        r"softmax_regression: batch_size must be a whole number >= 1, got 2\.0",
    ),
    (
        "softmax l2 string",
        lambda: softmax_regression(l2="0"),
        r"softmax_regression: l2 must be a real number, got '0'",
    ),
    # --- the Problem constructor
    ("Problem name", lambda: bowl(name=3), r"Problem: name must be a str, got 3"),
    ("Problem x0 NaN", lambda: bowl(x0=[NAN, 0.0]), r"Problem 'bowl': x0 must be finite, got nan"),
    (
        "Problem x0 2-D",
        lambda: bowl(x0=[[1.0, 2.0]]),
        r"Problem 'bowl': x0 must be one point, a 1-D array of d >= 1 coordinates, got shape \(1, 2\)",
    ),
    (
        "Problem f not callable",
        lambda: bowl(f="x**2"),
        r"Problem 'bowl': f must be a function of x, got 'x\*\*2'",
    ),
    ("Problem mu > L", lambda: bowl(mu=2.0, L=1.0), r"Problem 'bowl': mu must be at most L = 1, got 2\.0"),
    (
        "Problem L negative",
        lambda: bowl(mu=-2.0, L=-1.0),
        r"Problem 'bowl': L must be finite and > 0, got -1\.0",
    ),
    ("Problem mu alone", lambda: bowl(L=None), r"Problem 'bowl': mu and L must be given together"),
    (
        "Problem minimizer shape",
        lambda: bowl(minimizer=[0.0, 0.0, 0.0]),
        r"Problem 'bowl': minimizer must be None or a point of shape \(2,\)",
    ),
    ("Problem f_min inf", lambda: bowl(f_min=INF), r"Problem 'bowl': f_min must be None or finite, got inf"),
    (
        "Problem bounds count",
        lambda: bowl(bounds=((-1.0, 1.0),)),
        r"Problem 'bowl': bounds must be one \(low, high\) pair with low < high per coordinate \(2\)",
    ),
    (
        "Problem bounds strings",
        lambda: bowl(bounds=(("a", "b"), ("c", "d"))),
        r"Problem 'bowl': bounds must be an array of real numbers, got strings",
    ),
    # --- averages
    (
        "ewa complex",
        lambda: ewa([1 + 1j, 2.0], 0.5),
        r"ewa: values must be an array of real numbers, got complex",
    ),
    (
        "ewa string",
        lambda: ewa("abc", 0.5),
        r"ewa: values must be an array of real numbers, got the string 'abc'",
    ),
    (
        "ewa bools",
        lambda: ewa([True, False], 0.5),
        r"ewa: values must be an array of real numbers, got booleans",
    ),
    (
        "ewa bias_correction",
        lambda: ewa([1.0, 2.0], 0.5, bias_correction="yes"),
        r"ewa: bias_correction must be True or False, got 'yes'",
    ),
    (
        "ewa_weights t 2.7",
        lambda: ewa_weights(0.5, 2.7),
        r"ewa_weights: t must be a whole number >= 0, got 2\.7",
    ),
    ("ewa_weights t -1", lambda: ewa_weights(0.5, -1), r"ewa_weights: t must be a whole number >= 0, got -1"),
    (
        "forget_time fraction string",
        lambda: forget_time(0.9, fraction="0.1"),
        r"forget_time: fraction must be a real number, got '0\.1'",
    ),
    (
        "forget_time fraction NaN",
        lambda: forget_time(0.9, fraction=NAN),
        r"forget_time: fraction must be a number, got nan",
    ),
    (
        "forget_time fraction 1",
        lambda: forget_time(0.9, fraction=1.0),
        r"forget_time: fraction must be in \(0, 1\), got 1\.0",
    ),
    (
        "matching_beta 2.5",
        lambda: matching_beta(2.5),
        r"matching_beta: n must be a whole number of values >= 1, got 2\.5",
    ),
    (
        "matching_beta bool",
        lambda: matching_beta(True),
        r"matching_beta: n must be a whole number of values >= 1, got True",
    ),
    (
        "bias_correction t NaN",
        lambda: bias_correction(0.5, 0.9, NAN),
        r"bias_correction: t counts steps from 1, got nan",
    ),
    ("half_life complex", lambda: half_life(0.9 + 0j), r"half_life: beta must be a real number"),
    ("window None", lambda: window(None), r"window: beta must be a real number, got None"),
    ("mean_age string", lambda: mean_age("0.9"), r"mean_age: beta must be a real number, got '0\.9'"),
    (
        "noise_variance_factor NaN",
        lambda: noise_variance_factor(NAN),
        r"noise_variance_factor: beta must be a number, got nan",
    ),
]

BANNED = (IndexError, AttributeError, MemoryError, FloatingPointError, KeyError, OverflowError)


def raise_from(call):
    """Call ``call``, which must raise; return the exception (NumPy warnings turned into errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NumPy RuntimeWarning on the way is a bug too
        with pytest.raises(Exception) as info:
            call()
    return info.value


@pytest.mark.parametrize(("call", "expected"), [row[1:] for row in BAD], ids=[row[0] for row in BAD])
def test_bad_input_gets_a_clear_shallow_error(call, expected):
    error = raise_from(call)
    assert type(error) in (ValueError, TypeError), f"{type(error).__name__}: {error}"
    assert not isinstance(error, BANNED)
    message = str(error)
    assert re.search(expected, message), f"{expected!r} not in {message!r}"
    # the owner, then a colon; a sentence that ends with a full stop
    assert message.split(":", 1)[0].strip() and message.rstrip().endswith((".", ")"))
    # raised by lessons_lib's own checks, not chained from (or raised inside) NumPy
    assert error.__cause__ is None
    assert error.__context__ is None or "numpy" not in type(error.__context__).__module__
    frames = traceback.extract_tb(error.__traceback__)
    assert frames[-1].filename.startswith(LIB), frames[-1]
    assert len(frames) <= 8, [f"{f.filename}:{f.lineno}" for f in frames]


def test_the_table_is_big_and_its_ids_unique():
    assert len(BAD) >= 80
    assert len({row[0] for row in BAD}) == len(BAD)


def test_the_limit_is_one_module_constant():
    from lessons_lib import _validate, running

    assert running.MAX_RUN_BYTES == _validate.MAX_RUN_BYTES == 4 * 2**30


def test_the_base_class_cannot_be_built():
    with pytest.raises(TypeError, match="Optimizer: it is the common base of the optimizers"):
        ll.Optimizer()


# ----------------------------------------------------------------------------------------------------
# Good inputs: accepted, and converted to float64 where they are numbers


def first_step(opt, x, g, state=None):
    x_new, state = opt.step(x, g, opt.init(x) if state is None else state)
    return x_new


GOOD = [
    ("int lr", lambda: Adam(lr=1).lr == 1.0),
    ("float32 lr", lambda: Adam(lr=np.float32(0.5)).lr == 0.5),
    ("int weight_decay 0", lambda: AdamW(lr=0.1, weight_decay=0).weight_decay == 0.0),
    ("float32 weight_decay", lambda: AdamW(lr=np.int64(1), weight_decay=np.float32(0.5)).weight_decay == 0.5),
    ("int l2 and an int grad", lambda: with_l2(RAVINE, 1).grad([1, 2]).tolist() == [2.0, 22.0]),
    ("NumPy scalars", lambda: Momentum(lr=np.int64(1), beta=np.float64(0.5), nesterov=np.True_).beta == 0.5),
    ("0-d array lr", lambda: GradientDescent(lr=np.array(0.25)).lr == 0.25),
    ("int beta 0", lambda: RMSProp(lr=0.1, beta=0).beta == 0.0),
    ("int lists", lambda: first_step(GradientDescent(lr=1), [1, 2], [1, 1]).tolist() == [0.0, 1.0]),
    ("int arrays", lambda: first_step(Adam(lr=0.1), np.array([1, 2]), np.array([3, -4])).dtype == np.float64),
    (
        "float32 arrays",
        lambda: first_step(RMSProp(lr=0.1), np.float32([1, 2]), np.float32([1, 1])).dtype == np.float64,
    ),
    ("NumPy scalar point", lambda: np.shape(first_step(Adagrad(lr=0.1), np.float64(1.0), 2)) == ()),
    (
        "state t as np.int64",
        lambda: (
            first_step(Adam(lr=0.1), X, G, AdamState(np.zeros(2), np.zeros(2), np.int64(3))).shape == (2,)
        ),
    ),
    (
        "state arrays as lists",
        lambda: first_step(Momentum(lr=0.1), X, G, MomentumState([0.0, 0.0])).shape == (2,),
    ),
    (
        "centered state, centered rule",
        lambda: first_step(RMSProp(lr=0.1, centered=True, momentum=0.5), X, G).shape == (2,),
    ),
    (
        "NaN rows of a batch",
        lambda: np.isnan(first_step(Adam(lr=0.1), [[NAN, NAN], [1.0, 1.0]], np.ones((2, 2)))[0]).all(),
    ),
    ("large but squarable gradient", lambda: np.isfinite(first_step(Adam(lr=0.1), X, [1e150, 1.0])).all()),
    (
        "run int start and steps",
        lambda: run(GradientDescent(lr=0.1), RAVINE, np.int64(5), x0=[1, 2]).points.dtype == np.float64,
    ),
    ("run float32 start", lambda: run(Adam(lr=0.1), RAVINE, 3, x0=np.float32([1, 2])).steps == 3),
    (
        "run seed None and np.int64",
        lambda: (
            run(Adam(lr=0.1), noisy(RAVINE), 3, seed=None).steps
            == run(Adam(lr=0.1), noisy(RAVINE), 3, seed=np.int64(2)).steps
        ),
    ),
    ("run int blowup", lambda: not run(GradientDescent(lr=0.1), RAVINE, 5, blowup=10).diverged),
    ("run int schedule", lambda: not run(GradientDescent(lr=0.1), RAVINE, 3, schedule=[1, 2, 1]).diverged),
    ("run float32 schedule", lambda: run(Adam(lr=0.1), RAVINE, 2, schedule=np.float32([0.5, 1])).steps == 2),
    ("run empty schedule", lambda: run(Adam(lr=0.1), RAVINE, 0, schedule=[]).steps == 0),
    ("run tuple schedule", lambda: run(Adam(lr=0.1), RAVINE, 2, schedule=(0.5, 0.25)).steps == 2),
    ("sweep list schedule", lambda: sweep(Adam(lr=0.1), RAVINE, 2, schedule=[1, 0.5]).losses.shape == (3,)),
    ("step_decay int factor 1", lambda: step_decay(3, every=np.int64(1), factor=1).tolist() == [1.0] * 3),
    ("cosine_decay int final 1", lambda: cosine_decay(3, final=1).tolist() == [1.0] * 3),
    ("cosine_decay one step", lambda: cosine_decay(1).tolist() == [1.0]),
    ("warmup over the whole run", lambda: warmup(2, warmup_steps=2).tolist() == [0.5, 1.0]),
    (
        "warmup then list of ints",
        lambda: warmup(3, warmup_steps=1, then=[1, 2, 3]).tolist() == [1.0, 2.0, 3.0],
    ),
    (
        "run batch",
        lambda: run(GradientDescent(lr=0.1), RAVINE, 5, x0=RAVINE.random_starts(4)).points.shape == (6, 4, 2),
    ),
    ("run still reports divergence", lambda: run(GradientDescent(lr=0.25), RAVINE, 100).diverged_at == 19),
    (
        "run keep_states np.bool_",
        lambda: run(Adam(lr=0.1), RAVINE, 3, keep_states=np.True_).states is not None,
    ),
    (
        "sweep int grid",
        lambda: sweep(Adam(lr=0.1), RAVINE, 3, grid={"lr": [1, 2]}).grid["lr"].dtype == np.float64,
    ),
    (
        "sweep float32 grid",
        lambda: sweep(Adam(lr=0.1), RAVINE, 3, grid={"lr": np.float32([0.5])}).losses.shape == (4, 1),
    ),
    ("random_starts np.int64", lambda: RAVINE.random_starts(np.int64(3), seed=None).shape == (3, 2)),
    ("start_grid int margin", lambda: RAVINE.start_grid(3, margin=0).shape == (9, 2)),
    ("quadratic int H, tuple x0", lambda: quadratic([[2, 0], [0, 1]], x0=(1, 1)).L == 2.0),
    ("rosenbrock ints", lambda: rosenbrock(a=2, b=10).minimizer.tolist() == [2.0, 4.0]),
    ("rotated_ravine ints", lambda: rotated_ravine(10, 30).L == pytest.approx(10.0)),
    ("noisy int sigma", lambda: noisy(RAVINE, sigma=0).info["sigma"] == 0.0),
    ("Problem from lists", lambda: bowl(x0=[1, -1], bounds=[[-2, 2], [-2, 2]]).x0.dtype == np.float64),
    ("ewa ints", lambda: ewa(np.arange(3), np.float32(0.5)).tolist() == [0.0, 0.5, 1.25]),
    ("ewa_weights np.int64", lambda: len(ewa_weights(0.5, np.int64(3))) == 3),
    ("matching_beta np.int64", lambda: matching_beta(np.int64(19)) == 0.9),
    (
        "bias_correction array t",
        lambda: bias_correction(np.ones(2), 0.5, np.arange(1, 3)).tolist() == [2.0, 4.0 / 3],
    ),
    ("Trajectory.steps_to int tol", lambda: run(GradientDescent(lr=0.1), RAVINE, 200).steps_to(0) == -1),
]


@pytest.mark.parametrize("call", [row[1] for row in GOOD], ids=[row[0] for row in GOOD])
def test_good_input_is_accepted(call):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert call()


def test_a_far_start_that_overflows_at_once_gets_an_honest_hint():
    """Not "curvature is larger where the run went": the start itself was far outside the bounds."""
    traj = run(GradientDescent(lr=0.001), rosenbrock(), 5, x0=[1e30, 0.0])
    assert traj.diverged_at == 1
    assert "start lies far outside the plot bounds (coordinates up to 1e+30)" in traj.message
    assert "curvature is larger" not in traj.message
    near = run(GradientDescent(lr=0.25), RAVINE, 100)  # a start inside the bounds keeps the lr hint
    assert near.message.endswith("lr = 0.25 is above 2/L = 0.2 for L = 10.")
