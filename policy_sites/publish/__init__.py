"""Stage 5, publish: ratified versions frozen in the repository, their history and redlines."""
