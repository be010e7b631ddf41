"""Learning: lesson files, the published catalog (a read model), the player and progress."""
