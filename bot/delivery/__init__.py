"""Messages Ura starts (not answers): the outbox and what drains it."""
