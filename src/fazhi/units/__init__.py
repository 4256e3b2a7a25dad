"""fazhi.units."""
