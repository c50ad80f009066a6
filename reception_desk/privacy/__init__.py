"""Petitioners' privacy, Qt-free: the data key, its per-user wrapping, field encryption and keyed hashes."""
