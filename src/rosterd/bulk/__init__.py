"""Bulk import and export of users."""
