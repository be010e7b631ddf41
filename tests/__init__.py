"""Ura's test suite."""
