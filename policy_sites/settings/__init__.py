"""Stage 1, settings: read a setting's YAML file safely and validate it against the schema."""

# The settings schema refers to the local authority register's model, which builds on the
# schema: importing the register here completes the schema before anyone uses it.
from policy_sites.settings import local_authority as _local_authority  # noqa: F401
