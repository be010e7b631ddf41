"""Inbound updates: the durable handling of one update, and long polling around it."""
