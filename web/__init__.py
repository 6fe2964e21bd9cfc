"""Transport: GraphQL over HTTP, GraphiQL, the WebSocket protocols and metrics."""
