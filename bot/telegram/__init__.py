"""Telegram plumbing: the emulated Bot API used when Telegram itself is unreachable."""
