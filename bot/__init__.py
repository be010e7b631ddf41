"""Ura: peer-education micro-lessons for young men, served on Telegram."""
