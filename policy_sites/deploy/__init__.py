"""Stage 6, deploy: putting built sites on a web server.

An nginx configuration for the built folder (``nginx.py``, with the inline scripts'
hashes from ``inline.py``), the staff views' password files (``credentials.py``) and a
copy without staff views for hosts that cannot ask for a password (``public_copy.py``).
"""
