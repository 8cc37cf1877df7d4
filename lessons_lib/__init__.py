"""lessons_lib: the shared code of the course "From averages to adaptive optimizers".

The update rules (:mod:`lessons_lib.rules`) and the optimizers that check their input
(:mod:`lessons_lib.optimizers`), exponentially weighted averages (:mod:`lessons_lib.averages`), test problems
(:mod:`lessons_lib.problems`), the bundled data sets (:mod:`lessons_lib.data`), the runner
(:mod:`lessons_lib.running`), grids run as one array (:mod:`lessons_lib.sweeps`), the measures that turn runs
into numbers (:mod:`lessons_lib.measures`), closed forms (:mod:`lessons_lib.theory`), races between optimizers
(:mod:`lessons_lib.races`), weight decay, decoupled or as an L2 penalty (:mod:`lessons_lib.weight_decay`),
other libraries' conventions (:mod:`lessons_lib.conventions`), plots
(:mod:`lessons_lib.plots`), widgets (:mod:`lessons_lib.widgets`) and the exercise checks
(:mod:`lessons_lib.checks`; import them with ``from lessons_lib.checks import check_gd_step``).
"""

from .averages import (
    bias_correction,
    ewa,
    ewa_update,
    ewa_weights,
    forget_time,
    half_life,
    matching_beta,
    mean_age,
    noise_variance_factor,
    window,
)
from .data import Network, logistic_regression, mlp_digits, softmax_regression
from .notebook import setup_notebook
from .optimizers import Adagrad, Adam, GradientDescent, Momentum, Optimizer, RMSProp
from .problems import (
    Problem,
    double_well,
    double_well_2d,
    noisy,
    quadratic,
    ravine,
    rosenbrock,
    rotated_ravine,
    saddle,
    testbed,
)
from .rules import (
    adagrad_update,
    adam_update,
    adamw_update,
    gd_update,
    momentum_update,
    rmsprop_update,
    rmsprop_variant_update,
)
from .running import Trajectory, cosine_decay, run, step_decay, warmup
from .weight_decay import AdamW, with_l2

__version__ = "0.1.0"

__all__ = [
    "Adagrad",
    "Adam",
    "AdamW",
    "GradientDescent",
    "Momentum",
    "Network",
    "Optimizer",
    "Problem",
    "RMSProp",
    "Trajectory",
    "adagrad_update",
    "adam_update",
    "adamw_update",
    "bias_correction",
    "cosine_decay",
    "double_well",
    "double_well_2d",
    "ewa",
    "ewa_update",
    "ewa_weights",
    "forget_time",
    "gd_update",
    "half_life",
    "logistic_regression",
    "matching_beta",
    "mean_age",
    "mlp_digits",
    "momentum_update",
    "noise_variance_factor",
    "noisy",
    "quadratic",
    "ravine",
    "rmsprop_update",
    "rmsprop_variant_update",
    "rosenbrock",
    "rotated_ravine",
    "run",
    "saddle",
    "setup_notebook",
    "softmax_regression",
    "step_decay",
    "testbed",
    "warmup",
    "window",
    "with_l2",
]
