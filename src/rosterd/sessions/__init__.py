"""Sessions: created by sign-in (and, later, by the Users API), found by their secret."""
