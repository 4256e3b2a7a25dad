"""fazhi.review."""
