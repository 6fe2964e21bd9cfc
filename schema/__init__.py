"""GraphQL declarations: types, inputs, payloads, enums, extensions and the root.

Importing any of it builds nothing; ``schema.root.build_schema`` builds the schema."""
