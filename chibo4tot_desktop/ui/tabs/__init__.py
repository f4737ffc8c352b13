"""Tabs of the main window (each a self-contained widget)."""
