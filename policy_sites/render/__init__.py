"""Stage 4, render: the MkDocs side of policy-sites (plugin, Markdown extension, reuse, preview)."""
