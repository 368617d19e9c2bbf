"""Stage 9, cli: the ``policy-sites`` command line; ``main`` is the entry point."""
