"""The interaction lifecycle orchestrator: flows, queueing, offers, outcomes."""
