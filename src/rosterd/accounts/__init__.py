"""The Account API pieces the Users flows need: sign-in, the signed-in user, sign-out."""
