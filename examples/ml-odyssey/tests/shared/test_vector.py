import pytest

from shared.numeric import clamp, dot


@pytest.mark.parametrize("a, b, expected", [([1, 2], [3, 4], 11), ([], [], 0), ([1, -1, 2], [2, 2, 0.5], 1)])
def test_dot(a, b, expected):
    assert dot(a, b) == expected


def test_dot_mismatch():
    with pytest.raises(ValueError, match="length mismatch"):
        dot([1], [1, 2])


@pytest.mark.parametrize("x, expected", [(-5, 0), (0.5, 0.5), (9, 1)])
def test_clamp(x, expected):
    assert clamp(x, 0, 1) == expected


def test_clamp_bad_bounds():
    with pytest.raises(ValueError):
        clamp(0, 1, 0)
