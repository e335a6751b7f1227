import pytest

from shared.numeric import mean, variance


@pytest.mark.parametrize("values, expected", [([1, 2, 3], 2), ([5], 5), ([-1, 1], 0), ([0.5, 1.5], 1.0)])
def test_mean(values, expected):
    assert mean(values) == pytest.approx(expected)


def test_mean_of_generator():
    assert mean(x for x in range(5)) == 2


def test_mean_empty():
    with pytest.raises(ValueError):
        mean([])


@pytest.mark.parametrize("values, expected", [([1, 1, 1], 0), ([1, 3], 1), ([2, 4, 4, 4, 5, 5, 7, 9], 4)])
def test_variance(values, expected):
    assert variance(values) == pytest.approx(expected)
