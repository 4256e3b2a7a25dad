"""fazhi.corpus."""
