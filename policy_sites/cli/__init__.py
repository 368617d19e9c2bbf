"""Stage 8, cli: the ``policy-sites`` command line; ``main`` is the entry point."""
