"""The wire: routing, parameters, authentication, error rendering, response formats."""
