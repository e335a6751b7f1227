"""Papers built on the shared utilities, end to end."""

import pytest

from papers.attention import attend
from papers.linear_regression import fit_line
from papers.perceptron import Perceptron
from shared import Matrix, mean


def test_attention_over_projected_keys():
    project = Matrix.identity(2)
    keys = [project.apply(k) for k in ([1, 0], [0, 1])]
    out = attend([5, 0], keys, [[1.0], [0.0]])
    assert out[0] > 0.9


def test_perceptron_on_regression_labels():
    xs = [0, 1, 2, 3, 4, 5]
    slope, intercept = fit_line(xs, [2 * x for x in xs])
    labels = [1 if slope * x + intercept > mean(xs) * 2 else 0 for x in xs]
    p = Perceptron(1, learning_rate=0.5)
    p.fit([([x], y) for x, y in zip(xs, labels)], epochs=50)
    assert p.predict([5]) == 1


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_identity_powers(n):
    m = Matrix.identity(n)
    assert m @ m == m
