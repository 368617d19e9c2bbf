"""``policy-sites import``: bring settings' Word policies in and recover the shared source.

One module per job: ``docx_file`` reads and vets a .docx, ``markdown`` converts it,
``known_facts`` puts the project's variables in for a setting's own facts, ``align``
recovers one shared source from several copies, ``run`` is the import from start to end
with its round trip, and ``review`` writes the draft and the review page, and applies the
accepted values.
"""
