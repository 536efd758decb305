"""Recoup: debt-collection management for collections teams."""

__version__ = "0.1.0"
