"""fazhi's version (its own module, so that any part of fazhi can name it without importing the rest)."""

__version__ = "0.1.0"
