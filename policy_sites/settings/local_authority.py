"""The register of local authorities: each area's safeguarding routes, one file per area.

A local authority's LADO, children's services front door, safeguarding partnership and
advice service are facts of that area, not of a federation (a nursery group may span
several areas). So each area has one complete entry, ``settings/local_authorities/<id>.yml``,
and a setting names its area (``local_authority: kent``). One file per area means adding
an area is adding one file (copied from ``_template.yml``), and the file's name is the id
a setting writes; an entry is read whole and validated whole, so the routes of two areas
can never mix key by key as merged defaults would.

Every number and address carries its ``source`` (the page it came from) and the date it
was ``checked``, so the next reviewer can check it again.
"""

from __future__ import annotations

from pydantic import Field, HttpUrl, model_validator

from policy_sites.settings.schema import (
    ContactRoute,
    DateField,
    EmailAddress,
    FieldProblem,
    PhoneNumber,
    Phrase,
    Setting,
    Text,
    Visibility,
    _Model,
)

__all__ = [
    "AUTHORITIES_DIR",
    "MOVED_TO_AUTHORITY",
    "TEMPLATE_FILE",
    "AdviceService",
    "AuthorityRoute",
    "LocalAuthority",
    "Partnership",
]

AUTHORITIES_DIR = "local_authorities"
"""The register's folder, inside the settings folder: one ``<id>.yml`` per authority."""

TEMPLATE_FILE = "_template.yml"
"""The documented blank entry to copy; a name starting with '_' is not an authority."""

MOVED_TO_AUTHORITY: dict[tuple[str, ...], str] = {
    ("contact_routes", "lado"): "lado",
    ("contact_routes", "front_door"): "front_door",
    ("local_partnership",): "partnership",
    ("advice_service",): "advice_service",
}
"""Settings keys that are now facts of the local authority, and the entry's key for each:
a setting or the federation writing one is refused with a pointer to the register."""


_SOURCE = Field(
    description="Where the numbers and addresses were found: the page's name or address, "
    'e.g. "the safeguarding partnership\'s LADO page (its address)".'
)
_CHECKED = Field(
    description="The day (or month) someone last checked them against that source, e.g. 2026-12."
)


class AuthorityRoute(ContactRoute):
    """A route of the local authority's, with where its details came from."""

    source: Text = _SOURCE
    checked: DateField = _CHECKED

    @model_validator(mode="after")
    def _public(self) -> AuthorityRoute:
        """Every policy tells parents to use these routes: a staff-only one would either
        leak or leave the parents' pages without the LADO or the front door."""
        if self.visibility is not Visibility.PUBLIC:
            raise FieldProblem(
                ("visibility",),
                "an authority's routes are shown to parents as well as staff: leave out "
                "visibility (a staff-only number goes in a setting's staff_only.contacts)",
            )
        return self


class Partnership(_Model):
    """The local safeguarding children partnership whose procedures the policies follow."""

    name: Text = Field(
        description="Its full name, e.g. 'the Northmoor Safeguarding Children Partnership'."
    )
    short_name: Text | None = Field(default=None, description="e.g. 'NSCP'.")
    web: HttpUrl | None = Field(default=None, description="Its web site (https://…).")
    source: Text = _SOURCE
    checked: DateField = _CHECKED


class AdviceService(_Model):
    """Where a DSL asks for advice when unsure what to do, if the area has such a service."""

    name: Phrase = Field(
        description='Completes: "If we are unsure what to do, a DSL asks … for advice." '
        "e.g. 'the LADO Education Safeguarding Advisory Service (LESAS)'."
    )
    phone: PhoneNumber | None = Field(
        default=None, description="e.g. '01632 960123', if it has an advice line."
    )
    email: EmailAddress | None = Field(default=None, description="e.g. 'advice@example.org'.")
    web: HttpUrl | None = Field(default=None, description="Its page or enquiry form (https://…).")
    reached: Phrase | None = Field(
        default=None,
        description="How a DSL reaches it, if not by the phone, email or web page above. "
        'Completes: "Advice for a DSL: the Education Safeguarding Team, …" e.g. \'through '
        "its enquiry form on the council's schools' website'.",
    )
    source: Text = _SOURCE
    checked: DateField = _CHECKED


class LocalAuthority(_Model):
    """One local authority's safeguarding routes: every one present, or the entry is refused."""

    name: Text = Field(description="The authority, e.g. 'Northmoor County Council'.")
    lado: AuthorityRoute = Field(
        description="The Local Authority Designated Officer (LADO) service: allegations "
        "about staff or volunteers. Needs a phone number."
    )
    front_door: AuthorityRoute = Field(
        description="Children's services front door, for a child at risk of harm. Needs a "
        "phone number and an out_of_hours_phone."
    )
    partnership: Partnership = Field(description="The local safeguarding children partnership.")
    advice_service: AdviceService | None = Field(
        default=None,
        description="An advice service for settings, if the area has one; left out, the "
        "policies send a DSL to the LADO for advice.",
    )

    @model_validator(mode="after")
    def _phoned(self) -> LocalAuthority:
        """The policies tell people to phone the LADO and the front door, day and night."""
        for key in ("lado", "front_door"):
            route: AuthorityRoute = getattr(self, key)
            if route.phone is None:
                raise FieldProblem(
                    (key, "phone"),
                    f"the policies tell people to phone {route.name!r}: give its phone number",
                )
        if self.front_door.out_of_hours_phone is None:
            raise FieldProblem(
                ("front_door", "out_of_hours_phone"),
                "the policies tell people who to phone at night and at weekends: give the "
                "front door's out-of-hours number",
            )
        return self


# The settings schema names this model by a forward reference (schema.py cannot import
# this module, which builds on it); resolve it now that it exists.
Setting.model_rebuild(_types_namespace={"LocalAuthority": LocalAuthority})
