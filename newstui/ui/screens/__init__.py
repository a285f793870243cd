"""Textual screens: they query the store and feed the widgets."""
