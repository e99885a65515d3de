"""An example lamina plug-in (see docs/plugin-guide.md)."""
