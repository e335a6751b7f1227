import pytest

from shared import Matrix


def test_shape_and_rows():
    m = Matrix([[1, 2, 3], [4, 5, 6]])
    assert m.shape == (2, 3)
    assert m.row(1) == [4.0, 5.0, 6.0]


def test_transpose():
    assert Matrix([[1, 2], [3, 4]]).transpose() == Matrix([[1, 3], [2, 4]])


def test_identity_is_neutral():
    m = Matrix([[1, 2], [3, 4]])
    assert m @ Matrix.identity(2) == m
    assert Matrix.identity(2) @ m == m


def test_matmul():
    assert Matrix([[1, 2]]) @ Matrix([[3], [4]]) == Matrix([[11]])


def test_matmul_shape_error():
    with pytest.raises(ValueError, match="cannot multiply"):
        Matrix([[1, 2]]) @ Matrix([[1, 2]])


def test_apply():
    assert Matrix([[1, 0], [0, 2]]).apply([3, 4]) == [3.0, 8.0]
    with pytest.raises(ValueError):
        Matrix([[1, 0]]).apply([1])


def test_zeros_and_repr():
    z = Matrix.zeros(1, 2)
    assert repr(z) == "Matrix([[0.0, 0.0]])"
    assert z != "not a matrix"


@pytest.mark.parametrize("rows", [[], [[]], [[1, 2], [3]]])
def test_invalid(rows):
    with pytest.raises(ValueError):
        Matrix(rows)
