"""sohoa: records archive and digitization for Vietnamese Party and State agencies."""

__version__ = "0.1.0"
