"""The `accountgraph` command."""
