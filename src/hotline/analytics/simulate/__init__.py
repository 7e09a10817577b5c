"""Discrete-event simulation that drives the real router in virtual time."""
