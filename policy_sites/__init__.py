"""policy-sites: policy websites for early-years settings, built from shared sources.

The package follows the pipeline, one subpackage a stage:

- ``settings``  settings files → a validated :class:`~policy_sites.settings.schema.Setting`
- ``context``   a setting and a view → the variables the shared sources are rendered with
- ``render``    the MkDocs side: the plugin, theme reuse, shared assets, live preview
- ``build``     one setting's two views, or a whole federation, into ``site/``
- ``publish``   ratified versions, their history and redlines
- ``check``     what ``policy-sites check`` finds: errors and drift
- ``cli``       the ``policy-sites`` command line
"""

import os

# Material prints a banner about MkDocs 2.0 on every build; this project pins MkDocs 1.x.
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
