"""Lesson content: files in `lessons/` validated into frozen dataclasses."""
