"""Tests for issue 5: simulate."""
