"""The supervised stack (classifier or regressor): builder, torch backend and NumPy/numba fast path."""
