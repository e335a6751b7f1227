import pytest

from shared import softmax


def test_softmax_sums_to_one():
    assert sum(softmax([1.0, 2.0, 3.0])) == pytest.approx(1.0)


def test_softmax_is_stable_for_large_logits():
    out = softmax([1000.0, 1000.0])
    assert out == pytest.approx([0.5, 0.5])


def test_softmax_orders():
    low, high = softmax([0.0, 1.0])
    assert high > low


def test_softmax_empty():
    assert softmax([]) == []
