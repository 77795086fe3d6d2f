"""commonground: an open-source association management system."""

__version__ = "0.1.0"
