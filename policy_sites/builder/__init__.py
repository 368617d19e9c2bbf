"""Stage 5, builder: sites for one setting or a whole federation, and the portal.

Named ``builder`` rather than ``build`` because ``build/`` is where Python tools put
generated output, and they (and unanchored ignore rules) skip it.
"""
