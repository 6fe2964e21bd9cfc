"""The domain: business rules and transactions, usable without GraphQL."""
