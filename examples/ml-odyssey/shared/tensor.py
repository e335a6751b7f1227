"""A tiny row-major matrix, enough for the papers' models."""

from typing import List, Sequence


class Matrix:
    """An immutable rows x cols matrix of floats."""

    def __init__(self, rows: Sequence[Sequence[float]]):
        data = [list(map(float, r)) for r in rows]
        if not data or not data[0]:
            raise ValueError("a matrix needs at least one row and one column")
        width = len(data[0])
        if any(len(r) != width for r in data):
            raise ValueError("ragged rows")
        self._data = data

    @classmethod
    def zeros(cls, rows: int, cols: int) -> "Matrix":
        return cls([[0.0] * cols for _ in range(rows)])

    @classmethod
    def identity(cls, n: int) -> "Matrix":
        return cls([[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)])

    @property
    def shape(self):
        return (len(self._data), len(self._data[0]))

    def row(self, i: int) -> List[float]:
        return list(self._data[i])

    def transpose(self) -> "Matrix":
        return Matrix([list(col) for col in zip(*self._data)])

    def __matmul__(self, other: "Matrix") -> "Matrix":
        if self.shape[1] != other.shape[0]:
            raise ValueError(f"cannot multiply {self.shape} by {other.shape}")
        cols = other.transpose()._data
        return Matrix([[sum(a * b for a, b in zip(r, c)) for c in cols] for r in self._data])

    def apply(self, vector: Sequence[float]) -> List[float]:
        """Matrix-vector product."""
        if len(vector) != self.shape[1]:
            raise ValueError("vector length does not match columns")
        return [sum(a * b for a, b in zip(r, vector)) for r in self._data]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Matrix) and self._data == other._data

    def __repr__(self) -> str:
        return f"Matrix({self._data!r})"
