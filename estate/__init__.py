"""The estate model: one declarative TOML file, checked on load, as typed immutable values."""

from estate.load import EstateConfigError, Problem, check_estate_file, load_estate
from estate.model import Contract, Council, Estate, Server, Service, Site

__all__ = [
    "Contract",
    "Council",
    "Estate",
    "EstateConfigError",
    "Problem",
    "Server",
    "Service",
    "Site",
    "check_estate_file",
    "load_estate",
]
