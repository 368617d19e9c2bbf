"""Where a view's PDFs live, so the pages that link to them and the builder that makes them agree.

Each published version of a policy has ``policies/<policy>/<label>.pdf`` beside its page
``<label>.html``, in each view; the staff view has one induction pack, made of its home
page (the quick reference), the setting's policies and the induction (signing) sheet.
"""

from __future__ import annotations

__all__ = [
    "INDUCTION_PACK",
    "INDUCTION_SHEET",
    "STAFF_HOME",
    "WEB_ONLY",
    "version_pdf",
]

WEB_ONLY = "ps-web-only"
"""Class of what only makes sense on the website (download links, the way to the History
page, a version's "current" or "superseded" banner): left out of the PDFs."""

INDUCTION_PACK = "induction-pack.pdf"
"""The staff view's induction pack, at the view's top."""

STAFF_HOME = "index.md"
"""The staff view's home page, its quick reference: the induction pack's first pages."""
INDUCTION_SHEET = "induction.md"
"""The induction (signing) sheet: the induction pack's last page, and where it is linked."""


def version_pdf(policy: str, label: str) -> str:
    """A published version's PDF, relative to the view's top."""
    return f"policies/{policy}/{label}.pdf"
