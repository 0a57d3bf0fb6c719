"""Messaging targets: where messages reach a user (email, phone, push token)."""
