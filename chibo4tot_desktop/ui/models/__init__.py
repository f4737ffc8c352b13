"""Qt item models for the window's tables (they read through the core, hold no rule)."""
