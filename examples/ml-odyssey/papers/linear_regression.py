"""Least squares (Legendre 1805, Gauss 1809) by gradient descent on one feature."""

from typing import Sequence, Tuple

from shared.numeric import mean


def fit_line(xs: Sequence[float], ys: Sequence[float], steps: int = 2000, lr: float = 0.01) -> Tuple[float, float]:
    """Returns (slope, intercept)."""
    if len(xs) != len(ys) or not xs:
        raise ValueError("need matching, non-empty xs and ys")
    slope, intercept = 0.0, 0.0
    n = len(xs)
    for _ in range(steps):
        errors = [slope * x + intercept - y for x, y in zip(xs, ys)]
        slope -= lr * 2 * sum(e * x for e, x in zip(errors, xs)) / n
        intercept -= lr * 2 * sum(errors) / n
    return slope, intercept


def r_squared(xs: Sequence[float], ys: Sequence[float], slope: float, intercept: float) -> float:
    mu = mean(ys)
    total = sum((y - mu) ** 2 for y in ys)
    residual = sum((y - (slope * x + intercept)) ** 2 for x, y in zip(xs, ys))
    return 1.0 if total == 0 else 1 - residual / total
