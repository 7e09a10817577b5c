"""Realtime projections of the event log for the wallboard."""
