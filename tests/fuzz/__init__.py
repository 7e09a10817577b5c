"""Long-running fuzz targets: `make fuzz` (`python -m tests.fuzz [--seconds N] [--target T]`)."""
