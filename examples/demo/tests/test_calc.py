import sys
import unittest

sys.path.insert(0, "src")

from calc import add, mean  # noqa: E402


class CalcTest(unittest.TestCase):
    def test_add(self):
        self.assertEqual(add(2, 3), 5)

    def test_mean(self):
        self.assertEqual(mean([1, 2, 3]), 2)
        with self.assertRaises(ValueError):
            mean([])


if __name__ == "__main__":
    unittest.main()
