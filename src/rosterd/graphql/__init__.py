"""GraphQL over the REST route table (reference §10)."""
