"""lamina desktop app."""
