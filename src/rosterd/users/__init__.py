"""The Users resource."""
