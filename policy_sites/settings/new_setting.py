"""Writing a new setting's file: commented YAML from a few details, checked before it is saved.

The file reads like the examples in settings/: one comment per key saying which sentence
of the policy it completes. It is validated with the same loader the builds use (with
the federation defaults), and an existing file is never overwritten.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from policy_sites.settings.json_schema import SCHEMA_FILE
from policy_sites.settings.loader import DEFAULTS_FILE, Problem, SettingsError, load_setting
from policy_sites.settings.names import check_slug

__all__ = [
    "DSLDetails",
    "NewSettingDetails",
    "ProvisionDetails",
    "check_slug",
    "new_setting_file",
    "render_settings_file",
    "write_new_setting",
]


@dataclass(frozen=True)
class ProvisionDetails:
    name: str
    short_name: str | None = None
    school_age: bool = False


@dataclass(frozen=True)
class DSLDetails:
    name: str
    role: str
    provision: str | None = None


@dataclass
class NewSettingDetails:
    """What ``policy-sites new`` asks for; everything else gets a sensible, commented default."""

    name: str
    provisions: list[ProvisionDetails]
    dsls: list[DSLDetails]
    staff_keep_phones: str
    phone_free_areas: list[str] = field(default_factory=lambda: ["any room where children are"])
    phone_free_when: str = "when children are present"
    staff_phones_quiet_during: str = "sessions"
    permission_from: list[str] = field(default_factory=lambda: ["the Manager"])
    staff_personal_use: str = "only on their break, and only away from the children"
    official_channels: list[str] = field(default_factory=list)
    internet_filtering: str = "our internet service provider"
    confiscated_kept: str = "in the office"
    returned_to: str = "the child's parent or carer at the end of the session"
    written: str | None = None
    ratified: str | None = None
    next_review: str | None = None


def _q(value: str) -> str:
    """A YAML scalar for ``value`` on one line, quoted only when YAML needs it."""
    if not value.isprintable():
        return json.dumps(value, ensure_ascii=False)  # JSON strings are YAML too
    dumped = yaml.safe_dump(value, allow_unicode=True, width=10_000, default_flow_style=True)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def _items(values: list[str], indent: str) -> str:
    return "\n".join(f"{indent}- {_q(v)}" for v in values)


def _provisions(details: NewSettingDetails) -> str:
    lines = []
    for p in details.provisions:
        lines.append(f"  - name: {_q(p.name)}")
        if p.short_name:
            lines.append(f"    short_name: {_q(p.short_name)}")
        lines.append(f"    school_age: {'true' if p.school_age else 'false'}")
    return "\n".join(lines)


def _dsls(details: NewSettingDetails) -> str:
    lines = []
    for d in details.dsls:
        lines.append(f"  - name: {_q(d.name)}")
        lines.append(f"    role: {_q(d.role)}")
        if d.provision:
            lines.append(f"    provision: {_q(d.provision)}")
    return "\n".join(lines)


def _channels(details: NewSettingDetails) -> str:
    if not details.official_channels:
        return "  # None yet. To add one, replace [] with lines like the two below.\n" + (
            "  official_channels: []\n"
            "  #  - platform: Facebook\n"
            "  #    description: our Facebook page"
        )
    lines = ["  official_channels:"]
    for platform in details.official_channels:
        lines.append(f"    - platform: {_q(platform)}")
        lines.append(f"      description: {_q(f'our {platform} page')}")
    return "\n".join(lines)


def _policies(details: NewSettingDetails, policies: list[str]) -> str:
    dates = [(k, v) for k, v in (("written", details.written), ("ratified", details.ratified),
             ("next_review", details.next_review)) if v]  # fmt: skip
    lines = []
    for pid in policies:
        if not dates:
            lines.append(f"  {pid}: {{}}")
            continue
        lines.append(f"  {pid}:")
        lines += [f"    {key}: {_q(value)}" for key, value in dates]
    return "\n".join(lines)


def _children_devices(details: NewSettingDetails) -> str:
    if not any(p.school_age for p in details.provisions):
        return (
            "# Only needed if a provision has school_age: true. Then write:\n"
            "# children_devices:\n"
            "#   confiscated_kept: in the office\n"
            "#   returned_to: the child's parent or carer at the end of the session\n"
        )
    return (
        "# Needed because school-age children attend.\n"
        "children_devices:\n"
        '  # "If a phone is taken away, we keep it ..."\n'
        f"  confiscated_kept: {_q(details.confiscated_kept)}\n"
        '  # "It goes back to ..."\n'
        f"  returned_to: {_q(details.returned_to)}\n"
    )


def render_settings_file(details: NewSettingDetails, policies: list[str]) -> str:
    """The commented YAML of a new settings file."""
    return f"""\
# yaml-language-server: $schema=../{SCHEMA_FILE}
#
# {" ".join(details.name.split())}: the facts its policy website needs.
# The shared policy text in docs/ fills these in. Anything not written here comes
# from _federation.yml. Run `policy-sites check` after editing.

name: {_q(details.name)}

# Each provision the setting runs. school_age: true turns on the sections about
# children's own phones and social media.
provisions:
{_provisions(details)}

# Designated Safeguarding Leads. With more than one provision, say which one each leads.
dsls:
{_dsls(details)}

# How the policies name the person in charge.
manager: the Manager

phones:
  # Nobody may use a phone in these places ...
  phone_free_areas:
{_items(details.phone_free_areas, "    ")}
  # ... at these times:
  phone_free_when: {_q(details.phone_free_when)}
  # "Staff keep their phones ..."
  staff_keep_phones: {_q(details.staff_keep_phones)}
  # "Phones are switched off or on silent during ..."
  staff_phones_quiet_during: {_q(details.staff_phones_quiet_during)}
  # true if staff must hide or turn off Bluetooth and AirDrop in sessions.
  hide_bluetooth_and_airdrop: false
  # Who may allow a member of staff to use a personal device in a session:
  permission_from:
{_items(details.permission_from, "    ")}

social_media:
  # "Staff may use social media for personal reasons during setting hours ..."
  staff_personal_use: {_q(details.staff_personal_use)}
  # The setting's own accounts.
{_channels(details)}
  # true if official accounts are registered with setting email addresses.
  registered_with_setting_email: false
  # Who risk-assessed and approved official social media use.
  approved_by: the Manager

# An online learning journal, if you use one. For example:
# learning_journal:
#   name: Tapestry
learning_journal: null

visitors:
  # "If you must take a call, please ..."
  essential_calls: step outside before answering
  # true if signs tell visitors the phone rules.
  signage: false

{_children_devices(details)}
# "Filtering is provided by ..."
internet_filtering: {_q(details.internet_filtering)}

# The policies this setting publishes, with their dates (YYYY-MM or YYYY-MM-DD).
policies:
{_policies(details, policies)}

# Shown in the staff view only, never to parents and visitors.
staff_only:
  notes: []
"""


def new_setting_file(settings_dir: Path, slug: str) -> Path:
    """Where a new setting's file goes; ValueError for a bad slug, FileExistsError if taken."""
    check_slug(slug)
    target = settings_dir / f"{slug}.yml"
    if target.exists():
        raise FileExistsError(f"{target} already exists; edit it, or choose another name")
    return target


def write_new_setting(
    settings_dir: Path, slug: str, details: NewSettingDetails, policies: list[str]
) -> Path:
    """Validate and write ``settings/<slug>.yml``; refuse to overwrite an existing file."""
    target = new_setting_file(settings_dir, slug)
    text = render_settings_file(details, policies)
    with tempfile.TemporaryDirectory(prefix="policy-sites-new-") as scratch:
        trial = Path(scratch)
        if (settings_dir / DEFAULTS_FILE).is_file():
            shutil.copy(settings_dir / DEFAULTS_FILE, trial / DEFAULTS_FILE)
        (trial / target.name).write_text(text, encoding="utf-8")
        try:
            load_setting(trial, slug, policies)
        except SettingsError as error:
            # Each problem names its real file: the new one, or the federation's defaults.
            raise SettingsError(
                Problem(settings_dir / p.file.name, p.line, p.field, p.message)
                for p in error.problems
            ) from None
    settings_dir.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as out:  # "x": never overwrite, even in a race
        out.write(text)
    return target
