"""Short-lived JSON Web Tokens that act as a user (HS256)."""
