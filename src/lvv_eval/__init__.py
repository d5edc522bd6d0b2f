"""lvv-eval: reproducible evaluation of the Dutch LVV pilot (2019-2022).

The package holds the logic; the notebooks under ``notebooks/`` only call it.
Main modules
------------
paths
    Where the project's data, configuration and reports live.
errors
    The error types that collect every problem in an input before failing.
schema
    The person-level monitor exchange format (columns, Dutch aliases, dtypes).
pilots
    The pilot table (the five pilot municipalities; more can be declared as data).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lvv-eval")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = ["__version__"]
