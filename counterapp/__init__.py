"""counterapp: the counter software of Vietnam's public-administration service centres."""

__version__ = "0.1.0"
