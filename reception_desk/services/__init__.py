"""Use cases: one transaction per operation, each returning the change-set it made. No Qt here."""
