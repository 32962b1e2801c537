"""councilops: service levels, capacity and value for money for a two-site council IT provider."""

__version__ = "0.1.0"
