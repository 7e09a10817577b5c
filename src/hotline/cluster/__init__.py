"""Hotline across several nodes (issue 26): what the nodes share beyond the database."""
