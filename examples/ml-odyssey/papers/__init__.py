"""Tiny re-implementations of classic papers."""
