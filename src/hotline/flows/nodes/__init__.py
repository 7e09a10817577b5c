"""Flow node implementations."""
