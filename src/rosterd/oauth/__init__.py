"""OAuth2 and OpenID Connect sign-in, and the project settings it needs."""
