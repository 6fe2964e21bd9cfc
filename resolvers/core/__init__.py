"""Request plumbing of the resolvers: context, loaders, pagination, lists, permissions.

Nothing here imports ``schema``."""
