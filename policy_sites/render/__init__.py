"""Stage 4, render: the engine boundary, the plugin, the Markdown extension, preview."""
