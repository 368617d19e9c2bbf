"""policy-sites: policy websites for early-years settings, built from shared sources.

The package follows the pipeline, one subpackage a stage:

- ``settings``  settings files → a validated :class:`~policy_sites.settings.schema.Setting`
- ``context``   a setting and a view → the variables the shared sources are rendered with
- ``versions``  published versions: storage and hashes, redlines, History pages
- ``render``    the MkDocs side: the plugin, theme reuse, shared assets, live preview
- ``builder``   one setting's two views, or a whole federation, into ``site/``; the portal
- ``deploy``    the built ``site/`` on a web server: nginx, staff passwords, public copies
- ``publish``   freeze a setting's policies as a ratified version, through a real build
- ``check``     what ``policy-sites check`` finds: errors and drift
- ``cli``       the ``policy-sites`` command line

Each stage imports only the stages above it in this list (and ``project``);
``tests/unit/test_layers.py`` keeps it so.
"""

import os

# Material prints a banner about MkDocs 2.0 on every build; this project pins MkDocs 1.x.
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
