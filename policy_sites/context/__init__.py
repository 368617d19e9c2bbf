"""Stage 2, context: the two views, their pages, the variables and the leak check.

The leak check lives here, beside the staff-only variables it guards, so that the
MkDocs plugin (render) and the site builder can both use it without reaching up.
"""
