import pytest

from papers.perceptron import Perceptron

AND = [([0, 0], 0), ([0, 1], 0), ([1, 0], 0), ([1, 1], 1)]
OR = [([0, 0], 0), ([0, 1], 1), ([1, 0], 1), ([1, 1], 1)]


@pytest.mark.parametrize("data", [AND, OR], ids=["and", "or"])
def test_learns_linearly_separable(data):
    p = Perceptron(2)
    epochs = p.fit(data)
    assert epochs < 20
    assert [p.predict(x) for x, _ in data] == [y for _, y in data]


def test_xor_does_not_converge():
    xor = [([0, 0], 0), ([0, 1], 1), ([1, 0], 1), ([1, 1], 0)]
    assert Perceptron(2).fit(xor, epochs=15) == 15


def test_needs_features():
    with pytest.raises(ValueError):
        Perceptron(0)
