"""The security suite: the outside probe of issue 8 kept as tests."""
