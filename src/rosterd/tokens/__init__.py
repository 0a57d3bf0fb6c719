"""Single-use tokens an administrator creates for a user, exchanged for a session."""
