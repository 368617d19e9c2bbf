"""The MkDocs side of policy-sites: one plugin that turns a setting and a view into a site."""
