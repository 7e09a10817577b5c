"""Outbound dialer: campaigns, lists, DNC, pacing."""
