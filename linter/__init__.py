"""goleaklint: a static leak linter for Go services."""

__version__ = "0.1.0"
