"""Stage 3, versions: published versions' storage and hashes, redlines, History pages.

Below ``render`` so the MkDocs plugin can show versions without reaching up to the
``publish`` command, which freezes a version through a real build.
"""
