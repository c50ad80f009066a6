"""The `reception-desk` command line: the same services as the app."""
