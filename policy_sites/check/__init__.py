"""Stage 8, check: invalid settings, edited versions, and drift in sources and settings."""
