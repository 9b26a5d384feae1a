"""Allocation solvers: pure functions on the columnar instance (numpy arrays)."""
