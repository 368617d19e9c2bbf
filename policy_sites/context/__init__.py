"""Stage 2, context: the two views, their pages, and the variables the sources are rendered with."""
