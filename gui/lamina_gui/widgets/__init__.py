"""Widgets the views are made of: palette, stack model, forms and editors, image grid, plots."""
