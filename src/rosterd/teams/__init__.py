"""The Teams resource: teams, their prefs and their memberships."""
