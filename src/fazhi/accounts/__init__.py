"""fazhi.accounts."""
