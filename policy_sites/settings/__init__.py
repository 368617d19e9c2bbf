"""Stage 1, settings: read a setting's YAML file safely and validate it against the schema."""
