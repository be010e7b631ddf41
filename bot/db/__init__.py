"""Persistence: declarative models, the engine factory, the unit of work and repositories."""
