"""Tickets: departments, SLA, workflow."""
