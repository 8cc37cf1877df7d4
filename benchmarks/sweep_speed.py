"""How much ``sweeps.sweep`` costs over a hand-written NumPy loop that does the same work.

    python benchmarks/sweep_speed.py             # median of 15 alternating runs of each
    python benchmarks/sweep_speed.py --repeat 41

The work: heavy ball (summed momentum, beta = 0.9) on the ravine with condition number 100, 12 learning rates
x 20 starts x 300 steps, recording every point and every loss. The hand-written loop does the same arithmetic
(the rule's two lines on the whole grid as one array) and records the same arrays; ``sweep`` adds what makes
it a tool: input checks, divergence marking, overflow checks and its bookkeeping. The two are run in
alternation, so that a machine that speeds up or slows down during the measurement affects both alike, and
the results are checked to agree before anything is timed. Target: ``sweep`` within 1.3x of the loop.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lessons_lib import Momentum, ravine  # noqa: E402
from lessons_lib.sweeps import sweep  # noqa: E402

MAX_RATIO = 1.3
BETA = 0.9
STEPS = 300
PROBLEM = ravine(100)
LRS = np.geomspace(1e-4, 0.03, 12)  # all below the summed heavy ball's limit (2 + 2 beta) / L = 0.038
STARTS = PROBLEM.random_starts(20, seed=0)


def by_hand() -> tuple[np.ndarray, np.ndarray]:
    """The grid as one array, stepped with the heavy ball's two lines; every point and loss recorded."""
    lr = LRS.reshape(-1, 1, 1)
    x = np.broadcast_to(STARTS, (len(LRS), *STARTS.shape)).copy()
    v = np.zeros_like(x)
    points = np.empty((STEPS + 1, *x.shape))
    losses = np.empty((STEPS + 1, *x.shape[:-1]))
    points[0], losses[0] = x, PROBLEM.f(x)
    for k in range(1, STEPS + 1):
        v = BETA * v + PROBLEM.grad(x)
        x = x - lr * v
        points[k], losses[k] = x, PROBLEM.f(x)
    return points, losses


def with_sweep() -> tuple[np.ndarray, np.ndarray]:
    run = sweep(Momentum(lr=0.01, beta=BETA, averaged=False), PROBLEM, STEPS, STARTS, grid={"lr": LRS})
    return run.points, run.losses


def compare(repeat: int = 15) -> dict:
    """Median wall times of both (in alternation) and their ratio, with a verdict against the target."""
    hand, swept = by_hand(), with_sweep()
    for a, b in zip(hand, swept, strict=True):
        if not np.allclose(a, b, rtol=1e-12, atol=0.0):
            raise AssertionError("sweep and the hand-written loop disagree: the comparison would be void")
    times = {"hand": [], "sweep": []}
    for _ in range(repeat):
        for name, fn in (("hand", by_hand), ("sweep", with_sweep)):
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    hand_ms, sweep_ms = (1e3 * statistics.median(times[name]) for name in ("hand", "sweep"))
    ratio = sweep_ms / hand_ms
    return {
        "work": f"heavy ball, ravine(kappa=100), {len(LRS)} lrs x {len(STARTS)} starts x {STEPS} steps",
        "repeat": repeat,
        "hand_ms": round(hand_ms, 2),
        "sweep_ms": round(sweep_ms, 2),
        "ratio": round(ratio, 2),
        "target": MAX_RATIO,
        "verdict": "ok" if ratio <= MAX_RATIO else "MISSED",
    }


def describe(result: dict) -> str:
    return (
        f"sweep against a hand-written loop ({result['work']}, median of {result['repeat']} alternating "
        f"runs): loop {result['hand_ms']:.1f} ms, sweep {result['sweep_ms']:.1f} ms, ratio "
        f"{result['ratio']:.2f}: {result['verdict']} (target <= {result['target']:g}x)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="runs of each (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    print(describe(compare(args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
