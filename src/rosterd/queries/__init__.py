"""The Appwrite query language: parse (JSON or legacy text) -> typed AST -> validate."""
