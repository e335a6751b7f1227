"""Vaswani et al. (2017): scaled dot-product attention, one query at a time."""

import math
from typing import List, Sequence

from shared.numeric import dot, softmax


def attention_weights(query: Sequence[float], keys: Sequence[Sequence[float]]) -> List[float]:
    if not keys:
        raise ValueError("attention needs at least one key")
    scale = math.sqrt(len(query))
    return softmax([dot(query, k) / scale for k in keys])


def attend(query: Sequence[float], keys: Sequence[Sequence[float]], values: Sequence[Sequence[float]]) -> List[float]:
    if len(keys) != len(values):
        raise ValueError("keys and values differ in number")
    weights = attention_weights(query, keys)
    width = len(values[0])
    return [sum(w * v[i] for w, v in zip(weights, values)) for i in range(width)]
