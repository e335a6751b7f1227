"""Shared numeric utilities used by the papers."""

from shared.numeric import clamp, dot, mean, softmax, variance
from shared.tensor import Matrix

__all__ = ["Matrix", "clamp", "dot", "mean", "softmax", "variance"]
