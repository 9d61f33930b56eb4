"""analyser: an NLP-assisted evidence analyser for award nominations.

Importing the package is cheap: models, spaCy and torch load only when analysis starts.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
