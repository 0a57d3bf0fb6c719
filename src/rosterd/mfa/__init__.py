"""Multi-factor authentication: TOTP authenticators, challenges, recovery codes."""
