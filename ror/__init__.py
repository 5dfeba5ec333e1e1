"""ROR warehouse: landing loader, generator, quality gate, refresh and publish."""

__version__ = "0.1.0"
