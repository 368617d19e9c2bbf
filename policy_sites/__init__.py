"""policy-sites: policy websites for early-years settings, built from shared sources.

The package follows the pipeline, one subpackage a stage:

- ``settings``  settings files → a validated :class:`~policy_sites.settings.schema.Setting`
- ``context``   a setting and a view → the variables the shared sources are rendered with
- ``versions``  published versions: storage and hashes, redlines, History pages
- ``render``    the engine side: the engine boundary, the plugin, shared assets, live preview
- ``builder``   one setting's two views, or a whole federation, into ``site/``; the portal
- ``deploy``    the built ``site/`` on a web server: nginx, staff passwords, public copies
- ``publish``   freeze a setting's policies as a ratified version, through a real build
- ``check``     what ``policy-sites check`` finds: errors and drift
- ``importer``  settings' Word copies of a policy → a draft shared source and its facts
- ``cli``       the ``policy-sites`` command line

Each stage imports only the stages above it in this list (and ``project``);
``tests/unit/test_layers.py`` keeps it so. Importing the package changes nothing: only
``render.engine`` chooses and imports the engine (MkDocs or ProperDocs).
"""
