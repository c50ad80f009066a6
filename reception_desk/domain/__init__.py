"""Domain rules of a reception day. Pure Python: no Qt, no database."""
