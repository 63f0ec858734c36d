"""The models of this part; see the package docstring."""
