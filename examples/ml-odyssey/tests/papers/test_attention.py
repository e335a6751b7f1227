import pytest

from papers.attention import attend, attention_weights


def test_weights_sum_to_one():
    assert sum(attention_weights([1, 0], [[1, 0], [0, 1], [1, 1]])) == pytest.approx(1.0)


def test_attends_to_matching_key():
    weights = attention_weights([10, 0], [[1, 0], [0, 1]])
    assert weights[0] > 0.99


def test_attend_mixes_values():
    out = attend([0, 0], [[1, 0], [0, 1]], [[2, 0], [0, 2]])
    assert out == pytest.approx([1.0, 1.0])


def test_errors():
    with pytest.raises(ValueError):
        attention_weights([1], [])
    with pytest.raises(ValueError):
        attend([1], [[1]], [[1], [2]])
