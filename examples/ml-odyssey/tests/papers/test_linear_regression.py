import pytest

from papers.linear_regression import fit_line, r_squared


def test_recovers_line():
    xs = [0, 1, 2, 3, 4]
    ys = [1 + 2 * x for x in xs]
    slope, intercept = fit_line(xs, ys)
    assert slope == pytest.approx(2, abs=1e-2)
    assert intercept == pytest.approx(1, abs=1e-2)
    assert r_squared(xs, ys, slope, intercept) == pytest.approx(1, abs=1e-4)


def test_r_squared_constant():
    assert r_squared([1, 2], [3, 3], 0, 3) == 1.0


@pytest.mark.parametrize("xs, ys", [([], []), ([1], [1, 2])])
def test_errors(xs, ys):
    with pytest.raises(ValueError):
        fit_line(xs, ys)
