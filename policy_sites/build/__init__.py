"""Stage 4, build: sites for one setting or a whole federation, the portal, the leak check."""
