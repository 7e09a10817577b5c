"""Tests for issue 5: wfm."""
