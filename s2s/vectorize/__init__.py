"""Batching (built by the vmap issue)."""
