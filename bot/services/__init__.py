"""Use cases. They take a unit of work and plain values, return frozen DTOs, never import telegram."""
