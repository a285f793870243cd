"""Presentational widgets: data comes down as attributes, events go up as messages.

Widgets never import the store, fetch, refresh or config modules.
"""
