"""Dialogs shared by pages (registration, import wizard)."""
