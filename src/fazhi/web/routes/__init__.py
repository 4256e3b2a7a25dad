"""fazhi.web.routes."""
