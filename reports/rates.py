"""Exact rates: the reports layer reads them from `classes.rates`, where the lower apps' pages can reach them too."""

from classes.rates import RATE_PLACES
from classes.rates import Rate

__all__ = ["RATE_PLACES", "Rate"]
