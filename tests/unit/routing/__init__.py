"""Tests for issue 5: routing."""
