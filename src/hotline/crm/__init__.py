"""Customers: profiles, identities, lookup by phone and email."""
