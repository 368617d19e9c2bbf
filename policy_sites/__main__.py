"""``python -m policy_sites``: the same as the ``policy-sites`` command."""

from policy_sites.cli.main import main

main()
