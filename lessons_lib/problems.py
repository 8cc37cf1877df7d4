"""Test problems that describe themselves.

A :class:`Problem` carries everything a caller needs: the loss ``f``, its gradient ``grad`` and Hessian, a
default start ``x0``, the minimiser and minimum where known, plot ``bounds``, and the curvature constants
``mu`` and ``L`` (the smallest and largest Hessian eigenvalues at the minimiser; for a quadratic, everywhere).
Plots and runners read these; nothing else hard-codes a grid or a start.

Points keep their coordinates on the **last** axis: ``f`` maps shape ``(..., d)`` to ``(...)`` and ``grad``
maps ``(..., d)`` to ``(..., d)``. A batch of N starting points is an array of shape ``(N, d)``.
A 1-D problem has ``d = 1``.

Stochastic problems (:func:`noisy`, :func:`lessons_lib.data.logistic_regression`) also have
``sample_grad(x, rng)``, a noisy gradient drawn with the caller's seeded ``numpy.random.Generator``, the way a
mini-batch gradient is drawn.

Families of problems and starts: :func:`rotation` and :func:`rotate`, :func:`rotated_quadratics` (random
orientations), :func:`saddle_starts` (next to a saddle's ridge), :func:`jump_targets` (a minimiser that
jumps).
The problems made from the bundled data sets are in :mod:`lessons_lib.data`.
A problem with an L2 penalty added to its loss, :func:`lessons_lib.weight_decay.with_l2`, is made beside
:class:`~lessons_lib.weight_decay.AdamW`, the decoupled weight decay it is compared with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from ._validate import (
    as_real_array,
    check_count,
    check_memory,
    check_nonnegative,
    check_positive,
    check_real,
    check_seed,
)

__all__ = [
    "Problem",
    "curvatures",
    "defect_quadratics",
    "double_well",
    "double_well_2d",
    "jump_targets",
    "noisy",
    "quadratic",
    "ravine",
    "rosenbrock",
    "rotate",
    "rotated_quadratics",
    "rotated_ravine",
    "rotation",
    "saddle",
    "saddle_starts",
    "testbed",
]


@dataclass(frozen=True, eq=False)
class Problem:
    """A loss to minimise, with what plots and runners need to know about it.

    Attributes
    ----------
    name : str
        Short name for titles and legends, e.g. ``"ravine(κ=10)"``.
    f, grad : callable
        Loss ``(..., d) -> (...)`` and gradient ``(..., d) -> (..., d)``.
    x0 : ndarray, shape (d,)
        Default start.
    bounds : tuple of (low, high), one per coordinate
        The region plots show and random starts are drawn from.
    minimizer : ndarray or None
        A global minimiser, if known.
    f_min : float or None
        The global minimum, if known.
    mu, L : float or None
        Smallest and largest curvature (Hessian eigenvalue) at ``minimizer``; for a quadratic, everywhere.
        Gradient descent is stable near the minimum for ``lr < 2 / L``.
    hessian : callable or None
        Hessian at one point ``(d,) -> (d, d)``.
    local_minima : tuple of (point, value)
        Minima that are not global (for the local-minimum problems) or other global ones (the saddle).
    sample_grad : callable or None
        ``(x, rng) -> noisy gradient`` for stochastic problems.
    description : str
        One sentence for galleries.
    """

    name: str
    f: Callable
    grad: Callable
    x0: np.ndarray
    bounds: tuple
    minimizer: np.ndarray | None = None
    f_min: float | None = None
    mu: float | None = None
    L: float | None = None
    hessian: Callable | None = None
    local_minima: tuple = ()
    sample_grad: Callable | None = None
    description: str = ""
    info: dict = field(default_factory=dict)

    def __post_init__(self):
        owner = "Problem"
        if not isinstance(self.name, str):
            raise TypeError(
                f"{owner}: name must be a str, got {self.name!r} of type {type(self.name).__name__}."
            )
        owner = f"Problem {self.name!r}"
        for name in ("f", "grad"):
            if not callable(getattr(self, name)):
                raise TypeError(f"{owner}: {name} must be a function of x, got {getattr(self, name)!r}.")
        for name in ("hessian", "sample_grad"):
            if getattr(self, name) is not None and not callable(getattr(self, name)):
                raise TypeError(f"{owner}: {name} must be None or a function, got {getattr(self, name)!r}.")
        if not isinstance(self.description, str):
            raise TypeError(f"{owner}: description must be a str, got {self.description!r}.")
        x0 = as_real_array(owner, "x0", self.x0, finite=True)
        if x0.ndim != 1 or x0.size == 0:
            raise ValueError(
                f"{owner}: x0 must be one point, a 1-D array of d >= 1 coordinates, got shape {x0.shape}. "
                "Batches of starts are given to the runners, not to the problem."
            )
        object.__setattr__(self, "x0", x0)
        d = x0.size
        bounds = as_real_array(owner, "bounds", self.bounds, finite=True)
        if bounds.shape != (d, 2) or not np.all(bounds[:, 0] < bounds[:, 1]):
            raise ValueError(
                f"{owner}: bounds must be one (low, high) pair with low < high per coordinate ({d}), got "
                f"{np.round(bounds, 4).tolist() if bounds.size <= 8 else f'shape {bounds.shape}'}. "
                "Plots show this region and random starts are drawn from it."
            )
        if self.minimizer is not None:
            minimizer = as_real_array(owner, "minimizer", self.minimizer, finite=True)
            if minimizer.shape != (d,):
                raise ValueError(
                    f"{owner}: minimizer must be None or a point of shape ({d},) like x0, got shape "
                    f"{minimizer.shape}."
                )
            object.__setattr__(self, "minimizer", minimizer)
        if self.f_min is not None:
            f_min = check_real(owner, "f_min", self.f_min)
            if not np.isfinite(f_min):
                raise ValueError(f"{owner}: f_min must be None or finite, got {f_min!r}. It is the minimum.")
            object.__setattr__(self, "f_min", f_min)
        if (self.mu is None) != (self.L is None):
            raise ValueError(
                f"{owner}: mu and L must be given together or not at all, got mu={self.mu!r}, L={self.L!r}."
            )
        if self.L is not None:
            L = check_positive(owner, "L", self.L, "It is the largest curvature at the minimiser.")
            mu = check_real(owner, "mu", self.mu)
            if not mu <= L:
                raise ValueError(
                    f"{owner}: mu must be at most L = {L:.4g}, got {mu!r}. They are the smallest and the "
                    "largest curvature (Hessian eigenvalue) at the minimiser."
                )
            object.__setattr__(self, "mu", mu)
            object.__setattr__(self, "L", L)

    @property
    def dim(self) -> int:
        """Number of coordinates ``d``."""
        return len(self.x0)

    @property
    def stochastic(self) -> bool:
        """True if the problem draws noisy gradients with ``sample_grad``."""
        return self.sample_grad is not None

    @property
    def condition_number(self) -> float | None:
        """``L / mu``, or None if unknown or not positive."""
        if self.mu is None or self.L is None or self.mu <= 0:
            return None
        return self.L / self.mu

    def gap(self, x) -> np.ndarray:
        """``f(x) - f_min`` (needs a known ``f_min``)."""
        if self.f_min is None:
            raise ValueError(f"{self.name}: the minimum is not known, so the gap f(x) - f_min is not either.")
        return self.f(self._points("Problem.gap", "x", x)) - self.f_min

    def _points(self, owner: str, name: str, x) -> np.ndarray:
        x = as_real_array(owner, name, x)
        if x.ndim == 0 or x.shape[-1] != self.dim:
            raise ValueError(
                f"{owner}: {name} must have {self.dim} coordinates on its last axis for {self.name}, "
                f"got shape {x.shape}."
            )
        return x

    def random_starts(self, n: int, seed: int = 0) -> np.ndarray:
        """``n`` starting points drawn uniformly from ``bounds`` with a seeded generator; shape ``(n, d)``."""
        n = check_count("Problem.random_starts", "n", n, 1)
        rng = np.random.default_rng(check_seed("Problem.random_starts", seed))
        low, high = np.array(self.bounds, dtype=float).T
        return low + (high - low) * rng.random((n, self.dim))

    def start_grid(self, n_per_axis: int, margin: float = 0.05) -> np.ndarray:
        """An evenly spaced grid of starts inside ``bounds``; shape ``(n_per_axis**d, d)``."""
        owner = "Problem.start_grid"
        n_per_axis = check_count(owner, "n_per_axis", n_per_axis, 1)
        margin = check_real(owner, "margin", margin)
        if not 0 <= margin < 0.5:
            raise ValueError(
                f"{owner}: margin must be in [0, 0.5), got {margin!r}. It is the fraction of each side "
                "left out at both ends; at 0.5 nothing is left."
            )
        check_memory(
            owner,
            f"n_per_axis = {n_per_axis} in {self.dim} dimensions",
            8.0 * self.dim * float(n_per_axis) ** self.dim,
            "The grid has n_per_axis**d points; use random_starts(n) in many dimensions.",
        )
        axes = []
        for low, high in self.bounds:
            pad = margin * (high - low)
            axes.append(np.linspace(low + pad, high - pad, n_per_axis))
        mesh = np.meshgrid(*axes, indexing="xy")
        return np.stack([m.ravel() for m in mesh], axis=-1)

    def __repr__(self):
        def show(v):
            return np.round(v, 4).tolist() if self.dim <= 4 else f"<{self.dim} values>"

        parts = [repr(self.name), f"dim={self.dim}", f"x0={show(self.x0)}"]
        if self.minimizer is not None:
            parts.append(f"minimizer={show(self.minimizer)}")
        if self.f_min is not None:
            parts.append(f"f_min={self.f_min:.4g}")
        if self.L is not None:
            parts.append(f"mu={self.mu:.4g}, L={self.L:.4g}")
        if self.stochastic:
            parts.append("stochastic")
        return f"Problem({', '.join(parts)})"


def curvatures(hessian, point) -> tuple[float, float]:
    """The smallest and largest curvature, ``(mu, L)``: the extreme eigenvalues of ``hessian(point)``.

    >>> curvatures(lambda x: np.diag([1.0, 10.0]), [0.0, 0.0])
    (1.0, 10.0)
    """
    eig = np.linalg.eigvalsh(hessian(np.asarray(point, dtype=float)))
    return float(eig[0]), float(eig[-1])


# ----------------------------------------------------------------------------------------------------
# Quadratics


def quadratic(H, *, name="quadratic", x0=None, bounds=None, description="") -> Problem:
    """The quadratic ``f(x) = x·Hx / 2`` for a symmetric positive definite ``H``; minimiser 0, minimum 0."""
    H = np.array(as_real_array("quadratic", "H", H, finite=True))
    if H.ndim != 2 or H.shape[0] != H.shape[1] or H.size == 0:
        raise ValueError(
            f"quadratic: H must be a symmetric square matrix, d × d with d >= 1, got shape {H.shape}. "
            "It is the Hessian of x·Hx/2."
        )
    if not np.allclose(H, H.T):
        raise ValueError(
            "quadratic: H must be a symmetric square matrix, got one with H[i, j] != H[j, i] "
            f"(largest difference {np.abs(H - H.T).max():.3g}). A Hessian is symmetric; use (H + H.T) / 2."
        )
    eig = np.linalg.eigvalsh(H)
    if eig[0] <= 0:
        raise ValueError(
            f"quadratic: H must be positive definite, got a smallest eigenvalue of {eig[0]:.3g}. "
            "Otherwise x·Hx/2 has no minimum at 0 (or none at all)."
        )
    for label, text in (("name", name), ("description", description)):
        if not isinstance(text, str):
            raise TypeError(f"quadratic: {label} must be a str, got {text!r}.")
    if bounds is not None:
        bounds = as_real_array("quadratic", "bounds", bounds, finite=True)
        if bounds.shape != (len(H), 2):
            raise ValueError(
                f"quadratic: bounds must be one (low, high) pair per coordinate of H, shape ({len(H)}, 2), "
                f"got shape {bounds.shape}. Plots show this region and random starts are drawn from it."
            )
    d = len(H)
    if x0 is not None:
        x0 = as_real_array("quadratic", "x0", x0, finite=True)
        if x0.shape != (d,):
            raise ValueError(
                f"quadratic: x0 must be one point of the d = {d} coordinates of H, got shape {x0.shape}."
            )
    H.setflags(write=False)

    def f(x):
        return 0.5 * np.einsum("...i,ij,...j->...", x, H, x)

    def grad(x):
        return x @ H  # H is symmetric

    return Problem(
        name=name,
        f=f,
        grad=grad,
        x0=np.ones(d) if x0 is None else np.asarray(x0, dtype=float),
        bounds=tuple((-2.0, 2.0) for _ in range(d)) if bounds is None else tuple(map(tuple, bounds)),
        minimizer=np.zeros(d),
        f_min=0.0,
        mu=float(eig[0]),
        L=float(eig[-1]),
        hessian=lambda x: H.copy(),
        description=description,
        info={"H": H},
    )


def _condition_number(owner: str, value) -> float:
    kappa = check_positive(owner, "condition_number", value, "It is L / mu, the ratio of two curvatures.")
    if kappa < 1:
        raise ValueError(
            f"{owner}: condition_number must be >= 1 (it is L / mu), got {kappa!r}. The largest curvature "
            "cannot be below the smallest."
        )
    return kappa


def ravine(condition_number: float = 10.0) -> Problem:
    """An axis-aligned ravine ``f(x, y) = (x**2 + kappa * y**2) / 2``: flat along x, steep across, in y.

    Curvatures ``mu = 1`` (along the valley) and ``L = kappa`` (across it), so gradient descent needs
    ``lr < 2 / kappa`` and then crawls along x at rate ``1 - lr``.

    >>> p = ravine(10)
    >>> p.L, p.mu, p.grad(p.x0).tolist()
    (10.0, 1.0, [-8.0, 20.0])
    """
    kappa = _condition_number("ravine", condition_number)
    return quadratic(
        np.diag([1.0, kappa]),
        name=f"ravine(κ={kappa:g})",
        x0=[-8.0, 2.0],
        bounds=[(-10.0, 10.0), (-4.0, 4.0)],
        description=f"An axis-aligned ravine: curvature 1 along x, {kappa:g} across it (y).",
    )


def rotation(angle_degrees: float) -> np.ndarray:
    """The 2-D rotation by ``angle_degrees``, counter-clockwise: the matrix ``R`` of ``x -> R @ x``.

    Examples
    --------
    >>> rotation(90).round(12).tolist()
    [[0.0, -1.0], [1.0, 0.0]]
    """
    a = np.deg2rad(angle_degrees)
    return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


def rotate(points, angle_degrees: float) -> np.ndarray:
    """Turn 2-D points (last axis) by ``angle_degrees`` about the origin, counter-clockwise.

    :func:`lessons_lib.rotated_ravine` is the ravine turned the same way, so ``rotate(x, angle)`` on it sits
    where ``x`` sits on the ravine: same loss, same distance to the minimum.

    Examples
    --------
    >>> rotate([[1.0, 0.0], [0.0, 2.0]], 90).round(12).tolist()
    [[0.0, 1.0], [-2.0, 0.0]]
    """
    return np.asarray(points, dtype=float) @ rotation(angle_degrees).T


def rotated_ravine(condition_number: float = 10.0, angle_degrees: float = 45.0) -> Problem:
    """The :func:`ravine` turned by ``angle_degrees``: same curvatures, but no longer along the axes.

    A per-coordinate (diagonal) scaling such as Adagrad's or RMSProp's cannot undo the rotation.
    """
    base = ravine(_condition_number("rotated_ravine", condition_number))
    angle_degrees = check_real("rotated_ravine", "angle_degrees", angle_degrees)
    if not np.isfinite(angle_degrees):
        raise ValueError(f"rotated_ravine: angle_degrees must be finite, got {angle_degrees!r}.")
    R = rotation(angle_degrees)
    H = R @ base.info["H"] @ R.T
    H = (H + H.T) / 2
    return quadratic(
        H,
        name=f"rotated ravine(κ={base.L:g}, {angle_degrees:g}°)",
        x0=R @ base.x0,
        bounds=[(-10.0, 10.0), (-10.0, 10.0)],
        description=f"The ravine turned by {angle_degrees:g}°: its valley no longer runs along an axis.",
    )


# ----------------------------------------------------------------------------------------------------
# Non-convex classics


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Problem:
    """Rosenbrock's banana valley ``f = (a - x)**2 + b (y - x**2)**2``; minimum 0 at ``(a, a**2)``."""
    a = check_real("rosenbrock", "a", a)
    if not abs(a) <= 1e3:
        raise ValueError(
            f"rosenbrock: a must be in [-1000, 1000], got {a!r}. The minimum (a, a**2) must lie where a plot "
            "and float64 arithmetic can reach it."
        )
    b = check_positive(
        "rosenbrock", "b", b, "It is the steepness of the valley's walls: with b <= 0 there is no valley."
    )

    def f(p):
        x, y = p[..., 0], p[..., 1]
        return (a - x) ** 2 + b * (y - x**2) ** 2

    def grad(p):
        x, y = p[..., 0], p[..., 1]
        return np.stack([-2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)], axis=-1)

    def hessian(p):
        x, y = p
        return np.array([[2 - 4 * b * (y - 3 * x**2), -4 * b * x], [-4 * b * x, 2 * b]])

    xmin = np.array([a, a**2])
    mu, L = curvatures(hessian, xmin)
    return Problem(
        name="Rosenbrock",
        f=f,
        grad=grad,
        x0=np.array([-1.5, 2.0]),
        bounds=((min(-2.0, a - 1.0), max(2.0, a + 1.0)), (min(-1.0, a**2 - 2.0), max(3.0, a**2 + 2.0))),
        minimizer=xmin,
        f_min=0.0,
        mu=mu,
        L=L,
        hessian=hessian,
        description="A curved, narrow valley: easy to find, slow to follow.",
    )


def saddle() -> Problem:
    """``f = x**2/2 + y**4/4 - y**2/2``: a saddle at the origin between two minima at ``(0, ±1)``, f = -1/4.

    The default start sits almost on the saddle's ridge (``y = 1e-3``), where the gradient along y is tiny.
    """

    def f(p):
        x, y = p[..., 0], p[..., 1]
        y2 = y * y  # y * y, not y**4: see _well
        return 0.5 * x * x + y2 * (0.25 * y2 - 0.5)

    def grad(p):
        x, y = p[..., 0], p[..., 1]
        return np.stack([x, y * (y * y - 1.0)], axis=-1)

    def hessian(p):
        return np.array([[1.0, 0.0], [0.0, 3 * p[1] ** 2 - 1]])

    xmin = np.array([0.0, 1.0])
    mu, L = curvatures(hessian, xmin)
    return Problem(
        name="saddle",
        f=f,
        grad=grad,
        x0=np.array([1.5, 1e-3]),
        bounds=((-2.0, 2.0), (-1.6, 1.6)),
        minimizer=xmin,
        f_min=-0.25,
        mu=mu,
        L=L,
        hessian=hessian,
        local_minima=((np.array([0.0, -1.0]), -0.25),),
        description="A saddle point at the origin between two equal minima at (0, ±1).",
        info={"saddle_point": np.zeros(2)},
    )


_WELL_A, _WELL_C = 1.0, 0.3  # f(x) = x**4/4 - a x**2 + c x


# Products, not x**3 and x**4: NumPy computes those with pow(), about 40 times as slow on a sweep's arrays
# (the double well's claims run thousands of starts for hundreds of steps).
def _well(x):
    x2 = x * x
    return x2 * (0.25 * x2 - _WELL_A) + _WELL_C * x


def _well_grad(x):
    return x * (x * x - 2 * _WELL_A) + _WELL_C


def _well_critical_points():
    roots = np.sort(np.roots([1.0, 0.0, -2 * _WELL_A, _WELL_C]).real)
    return roots  # global minimum, barrier top, local minimum


def double_well() -> Problem:
    """A 1-D tilted double well ``f(x) = x**4/4 - x**2 + 0.3 x``: a shallow local minimum beside the global.

    Global minimum near x = -1.484 (f = -1.435), local minimum near x = 1.332 (f = -0.588), the barrier
    between them near x = 0.152. The default start, x = 2, lies above the local minimum.
    """
    xg, xb, xl = _well_critical_points()

    def f(p):
        return _well(p[..., 0])

    def grad(p):
        return _well_grad(p)

    def hessian(p):
        return np.array([[3 * p[0] ** 2 - 2 * _WELL_A]])

    mu, L = curvatures(hessian, [xg])
    return Problem(
        name="double well",
        f=f,
        grad=grad,
        x0=np.array([2.0]),
        bounds=((-2.5, 2.5),),
        minimizer=np.array([xg]),
        f_min=float(_well(xg)),
        mu=mu,
        L=L,
        hessian=hessian,
        local_minima=((np.array([xl]), float(_well(xl))),),
        description="1-D: a shallow local minimum (right) beside the global one (left).",
        info={"barrier": np.array([xb])},
    )


def double_well_2d(coupling: float = 4.0) -> Problem:
    """The double well in x, tied to a valley ``y = x/2``: ``f = w(x) + coupling/2 (y - x/2)**2``.

    Its minima are those of the 1-D :func:`double_well` lifted onto the line ``y = x/2``.
    """
    k = check_positive("double_well_2d", "coupling", coupling)
    xg, xb, xl = _well_critical_points()

    def f(p):
        x, y = p[..., 0], p[..., 1]
        return _well(x) + 0.5 * k * (y - 0.5 * x) ** 2

    def grad(p):
        x, y = p[..., 0], p[..., 1]
        r = y - 0.5 * x
        return np.stack([_well_grad(x) - 0.5 * k * r, k * r], axis=-1)

    def hessian(p):
        x = p[0]
        return np.array([[3 * x**2 - 2 * _WELL_A + k / 4, -k / 2], [-k / 2, k]])

    xmin = np.array([xg, xg / 2])
    mu, L = curvatures(hessian, xmin)
    return Problem(
        name="double well 2-D",
        f=f,
        grad=grad,
        x0=np.array([2.2, -1.0]),
        bounds=((-2.5, 2.5), (-2.0, 2.0)),
        minimizer=xmin,
        f_min=float(_well(xg)),
        mu=mu,
        L=L,
        hessian=hessian,
        local_minima=((np.array([xl, xl / 2]), float(_well(xl))),),
        description="2-D: a shallow local minimum (upper right) beside the global one (lower left).",
        info={"barrier": np.array([xb, xb / 2])},
    )


# ----------------------------------------------------------------------------------------------------
# Stochastic problems


def noisy(problem: Problem, sigma: float = 1.0) -> Problem:
    """The same problem with noisy gradients, as mini-batches give: ``grad(x) + sigma * N(0, I)``.

    The noise is drawn from the ``rng`` the runner passes (seeded), independently for every coordinate, every
    step and every point of a batch. ``f`` and ``grad`` stay exact.
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"noisy: problem must be a lessons_lib Problem, got {type(problem).__name__}.")
    sigma = check_nonnegative("noisy", "sigma", sigma, "It is the standard deviation of the gradient noise.")
    grad = problem.grad

    def sample_grad(x, rng):
        return grad(x) + sigma * rng.standard_normal(np.shape(x))

    return replace(
        problem,
        name=f"noisy {problem.name} (σ={sigma:g})",
        sample_grad=sample_grad,
        info={**problem.info, "sigma": sigma},
    )


def testbed() -> dict[str, Problem]:
    """The deterministic problems of the course, by short name, for galleries and races."""
    return {
        "ravine": ravine(10.0),
        "rotated ravine": rotated_ravine(10.0),
        "Rosenbrock": rosenbrock(),
        "saddle": saddle(),
        "double well": double_well(),
        "double well 2-D": double_well_2d(),
    }


# ----------------------------------------------------------------------------------------------------
# Starts next to a saddle


def saddle_starts(problem: Problem, n: int, *, y_range=(1e-9, 1e-2), seed: int = 0) -> np.ndarray:
    """``n`` starts next to a saddle's ridge: ``x₁`` uniform over the plot bounds, ``x₂ = ±10**u`` with ``u``
    uniform between the logarithms of ``y_range`` (both signs equally often). Shape ``(n, 2)``.

    Examples
    --------
    >>> from lessons_lib import saddle
    >>> starts = saddle_starts(saddle(), 1000, seed=0)
    >>> bool(np.all((np.abs(starts[:, 1]) >= 1e-9) & (np.abs(starts[:, 1]) <= 1e-2)))
    True
    """
    low, high = (float(v) for v in y_range)
    if not 0 < low <= high:
        raise ValueError(f"saddle_starts: y_range must be (low, high) with 0 < low <= high, got {y_range!r}.")
    rng = np.random.default_rng(seed)
    x_low, x_high = problem.bounds[0]
    x = rng.uniform(x_low, x_high, n)
    y = rng.choice([-1.0, 1.0], n) * 10 ** rng.uniform(np.log10(low), np.log10(high), n)
    return np.stack([x, y], axis=-1)


# ----------------------------------------------------------------------------------------------------
# Targets that jump


def jump_targets(steps: int, every: int, points) -> np.ndarray:
    """The minimiser of a problem that jumps every ``every`` steps, cycling through ``points``.

    Returns an array of shape ``(steps, d)`` whose row ``k`` is the minimiser during step ``k + 1``, the
    ``targets`` argument of :func:`lessons_lib.running.track_target`: ``points[0]`` for the first ``every``
    steps, then ``points[1]``, and so on, back to ``points[0]`` after the last one. One jump after ``N``
    steps is ``jump_targets(2 * N, N, [before, after])``.

    Examples
    --------
    >>> jump_targets(5, 2, [[0.0, 0.0], [1.0, -1.0]]).tolist()
    [[0.0, 0.0], [0.0, 0.0], [1.0, -1.0], [1.0, -1.0], [0.0, 0.0]]
    """
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or len(points) == 0:
        raise ValueError(
            f"jump_targets: points must be a list of minimisers, shape (n, d); got {points.shape}."
        )
    every = check_count("jump_targets", "every", every, 1)
    steps = check_count("jump_targets", "steps", steps, 1)
    return points[(np.arange(steps) // every) % len(points)]


# ----------------------------------------------------------------------------------------------------
# Families of quadratics


def rotated_quadratics(kappas, *, dim: int = 2, seed: int = 0) -> np.ndarray:
    """Hessians of quadratics ``x·Hx/2`` with curvatures from 1 to ``kappa``, in a random orientation each.

    The curvatures are ``dim`` values evenly spaced on a log scale from ``mu = 1`` to ``L = kappa``; the
    eigenvectors are a random orthonormal basis (seeded), so no quadratic lies along the axes.

    Returns
    -------
    ndarray, shape (len(kappas), dim, dim)

    Examples
    --------
    >>> H = rotated_quadratics([10.0, 1000.0], seed=1)
    >>> np.linalg.eigvalsh(H).round(6).tolist()
    [[1.0, 10.0], [1.0, 1000.0]]
    """
    kappas = np.asarray(kappas, dtype=float)
    if kappas.ndim != 1 or np.any(~(kappas >= 1)):
        raise ValueError(f"rotated_quadratics: every kappa must be >= 1 (it is L / mu), got {kappas!r}.")
    dim = check_count("rotated_quadratics", "dim", dim, 2)
    rng = np.random.default_rng(seed)
    hessians = []
    for kappa in kappas:
        q, r = np.linalg.qr(rng.standard_normal((dim, dim)))
        q = q * np.sign(np.diag(r))  # a uniformly random rotation (Haar measure)
        h = (q * np.geomspace(1.0, kappa, dim)) @ q.T
        hessians.append((h + h.T) / 2)
    return np.array(hessians)


def defect_quadratics(condition_number: float = 100.0, scale: float = 10.0, angle_degrees: float = 45.0):
    """Three quadratics ``x·Hx/2`` that are slow for gradient descent for different reasons.

    With ``D = diag(1, kappa)`` (an axis-aligned ravine), ``R`` the rotation by ``angle_degrees`` and
    ``S = diag(1, scale)``:

    * ``"rotated"``: ``H = R D Rᵀ``, a ravine off the axes — one defect, the direction;
    * ``"scaled axes"``: ``H = S D S``, the ravine with its second axis rescaled — one defect, the scales of
      the coordinates (curvatures 1 and ``kappa * scale**2``, along the axes);
    * ``"both"``: ``H = S R D Rᵀ S``, the rotated ravine with its second axis rescaled.

    A diagonal rescaling (RMSProp's, Adam's) can undo ``S`` but not ``R``; momentum shortens a ravine's
    ``kappa`` to about ``sqrt(kappa)`` steps in any direction. Starts (``bounds``) cover the same region
    in the rescaled coordinates ``S x``: ``[-1, 1]`` along x₁, and ``[-1/scale, 1/scale]`` along x₂ where
    ``S`` applies.

    Returns
    -------
    dict of str to Problem

    Examples
    --------
    >>> q = defect_quadratics(100, 10)
    >>> {name: round(p.condition_number) for name, p in q.items()}
    {'rotated': 100, 'scaled axes': 10000, 'both': 2600}
    """
    kappa = check_positive("defect_quadratics", "condition_number", condition_number)
    scale = check_positive("defect_quadratics", "scale", scale)
    R = rotation(angle_degrees)
    D, S = np.diag([1.0, kappa]), np.diag([1.0, scale])
    A = R @ D @ R.T
    square, narrow = [(-1.0, 1.0), (-1.0, 1.0)], [(-1.0, 1.0), (-1.0 / scale, 1.0 / scale)]
    what = f"κ={kappa:g}, {angle_degrees:g}°, scale {scale:g}"
    return {
        "rotated": quadratic(
            (A + A.T) / 2,
            name=f"rotated ravine (κ={kappa:g}, {angle_degrees:g}°)",
            x0=[-0.9, 0.6],
            bounds=square,
            description="A ravine off the axes: a diagonal rescaling cannot help.",
        ),
        "scaled axes": quadratic(
            S @ D @ S,
            name=f"ravine with a rescaled axis (κ={kappa:g}, scale {scale:g})",
            x0=[-0.9, 0.6 / scale],
            bounds=narrow,
            description="An axis-aligned ravine whose second coordinate is measured in other units.",
        ),
        "both": quadratic(
            S @ ((A + A.T) / 2) @ S,
            name=f"rotated and rescaled ravine ({what})",
            x0=[-0.9, 0.6 / scale],
            bounds=narrow,
            description="A ravine off the axes whose second coordinate is also rescaled: both defects.",
        ),
    }
