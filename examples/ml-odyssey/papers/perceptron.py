"""Rosenblatt (1958): the perceptron learning rule."""

from typing import List, Sequence, Tuple

from shared.numeric import dot


class Perceptron:
    def __init__(self, n_features: int, learning_rate: float = 0.1):
        if n_features < 1:
            raise ValueError("need at least one feature")
        self.weights: List[float] = [0.0] * n_features
        self.bias = 0.0
        self.learning_rate = learning_rate

    def predict(self, x: Sequence[float]) -> int:
        return 1 if dot(self.weights, x) + self.bias > 0 else 0

    def fit(self, samples: Sequence[Tuple[Sequence[float], int]], epochs: int = 20) -> int:
        """Train; returns the number of epochs until no mistakes (or epochs)."""
        for epoch in range(1, epochs + 1):
            mistakes = 0
            for x, y in samples:
                error = y - self.predict(x)
                if error:
                    mistakes += 1
                    self.weights = [w + self.learning_rate * error * xi for w, xi in zip(self.weights, x)]
                    self.bias += self.learning_rate * error
            if mistakes == 0:
                return epoch
        return epochs
