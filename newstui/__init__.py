"""newstui: a terminal news reader. Only the version lives here: importing the package is free."""

__version__ = "0.1.0"
