"""接访台 Reception Desk: runs a leader's reception day at a district petition bureau."""

__version__ = "0.1.0"
