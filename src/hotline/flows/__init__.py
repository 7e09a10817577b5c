"""Flows: versioned IVR / bot graphs and the pure interpreter that runs them."""
