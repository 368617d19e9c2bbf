"""``policy-sites import``: bring settings' Word policies in and recover the shared source.

One module per job: ``docx_file`` reads and vets a .docx, ``markdown`` converts it,
``known_facts`` puts the project's variables in for a setting's own facts, ``align``
recovers one shared source from several copies, ``review`` writes the draft, the review
page and applies accepted values.
"""
