"""Glue between the GraphQL schema and the domain: request context, loaders, paging, filters."""
