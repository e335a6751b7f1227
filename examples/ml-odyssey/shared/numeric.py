"""Small, dependency-free numeric helpers."""

import math
from typing import Iterable, List, Sequence


def mean(values: Iterable[float]) -> float:
    """Arithmetic mean; raises ValueError on an empty input."""
    items = list(values)
    if not items:
        raise ValueError("mean of an empty sequence")
    return sum(items) / len(items)


def variance(values: Iterable[float]) -> float:
    """Population variance."""
    items = list(values)
    mu = mean(items)
    return sum((x - mu) ** 2 for x in items) / len(items)


def dot(a: Sequence[float], b: Sequence[float]) -> float:
    """Dot product of two vectors of the same length."""
    if len(a) != len(b):
        raise ValueError(f"length mismatch: {len(a)} != {len(b)}")
    return sum(x * y for x, y in zip(a, b))


def clamp(x: float, low: float, high: float) -> float:
    """Limit x to [low, high]."""
    if low > high:
        raise ValueError("low must not exceed high")
    return max(low, min(high, x))


def softmax(logits: Sequence[float]) -> List[float]:
    """Numerically stable softmax."""
    if not logits:
        return []
    top = max(logits)
    exps = [math.exp(x - top) for x in logits]
    total = sum(exps)
    return [e / total for e in exps]
