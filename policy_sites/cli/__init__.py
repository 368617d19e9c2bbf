"""The ``policy-sites`` command line: one module a group of commands, ``main`` the entry point."""
