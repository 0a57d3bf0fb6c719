"""OAuth2 identities: a user's accounts at sign-in providers, kept for the OAuth2 flow."""
