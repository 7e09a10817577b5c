"""Workforce management: Erlang math, forecasts, schedules (pure, numpy at most)."""
