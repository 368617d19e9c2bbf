"""policy-sites check: invalid settings, edited versions, and drift in sources and settings."""
