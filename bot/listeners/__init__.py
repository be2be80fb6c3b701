"""Slack surfaces, one module per surface; each exposes ``register(app, ...)``."""
