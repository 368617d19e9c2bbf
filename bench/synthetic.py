"""Synthetic settings for the benchmark and the federation tests, made from the examples.

Each synthetic setting starts from one of the example settings files and gets its own
name, designated safeguarding leads, provision names and official channels, so every
site differs in its text, navigation and search index, as real settings do.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from policy_sites.settings.loader import copy_shared_files

__all__ = ["PROJECT_PARTS", "copy_project", "write_synthetic_settings"]

PROJECT_PARTS = ("mkdocs.yml", "docs", "macros", "overrides")
_PLACES = [
    "Ashford",
    "Bearsted",
    "Canterbury",
    "Deal",
    "Dover",
    "Faversham",
    "Folkestone",
    "Gillingham",
    "Herne",
    "Hythe",
    "Lydd",
    "Maidstone",
    "Margate",
    "Rochester",
    "Sandwich",
    "Sevenoaks",
    "Sittingbourne",
    "Tenterden",
    "Tonbridge",
    "Whitstable",
    "Wye",
    "Yalding",
    "Cranbrook",
    "Headcorn",
    "Marden",
    "Minster",
    "Otford",
    "Paddock",
    "Rye",
    "Staplehurst",
]
_KINDS = ("Nursery", "Pre-school", "Day Nursery", "Playgroup", "Little Acorns", "Kids Club")
_FIRST = [
    "Amira",
    "Ben",
    "Chloe",
    "Dev",
    "Ellen",
    "Farah",
    "George",
    "Hana",
    "Isla",
    "Jack",
    "Kemi",
    "Liam",
    "Maya",
    "Noor",
    "Owen",
]
_LAST = [
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Moore",
]
_EARLY = ("Pre-school", "Nursery", "Playgroup", "Baby room and toddlers")
_SCHOOL = ("Out-of-school club", "Breakfast and after-school club", "Holiday club")
_PLATFORMS = ("Facebook", "Instagram", "YouTube", "X")
_BODIES = ("committee", "trustees", "owner", "proprietor", "governors")


def copy_project(source: Path, target: Path) -> None:
    """The shared parts of a project (sources, config, macros, overrides) and its defaults."""
    target.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part)
        else:
            shutil.copy2(source / part, target / part)
    copy_shared_files(source / "settings", target / "settings")


def _person(i: int, k: int) -> str:
    return f"{_FIRST[(i + 3 * k) % len(_FIRST)]} {_LAST[(i * 7 + k) % len(_LAST)]}"


def _vary(data: dict, i: int) -> dict:
    data = dict(data)
    data["name"] = f"{_PLACES[i % len(_PLACES)]} {_KINDS[(i // len(_PLACES)) % len(_KINDS)]} {i}"
    provisions = [dict(p) for p in data["provisions"]]
    renamed = {}
    for n, provision in enumerate(provisions):
        names = _SCHOOL if provision.get("school_age") else _EARLY
        new = names[(i + n) % len(names)]
        renamed[provision["name"]] = new
        provision["name"] = new
        provision.pop("short_name", None)
    data["provisions"] = provisions
    dsls = []
    for k, dsl in enumerate(data["dsls"]):
        dsl = dict(dsl, name=_person(i, k))
        if "provision" in dsl:
            dsl["provision"] = renamed.get(dsl["provision"], dsl["provision"])
        dsls.append(dsl)
    if i % 2:  # every other setting has a deputy DSL for its first provision
        deputy = {"name": _person(i, 9), "role": "Deputy Manager", "deputy": True}
        if len(provisions) > 1:
            deputy["provision"] = provisions[0]["name"]
        dsls.append(deputy)
    data["dsls"] = dsls
    data["ratifying_body"] = _BODIES[i % len(_BODIES)]
    social = dict(data["social_media"])
    social["approved_by"] = ["the Manager", "the Chair"][: 1 + i % 2]
    social["official_channels"] = [
        {"platform": _PLATFORMS[(i + k) % len(_PLATFORMS)], "description": f"our page {k + 1}"}
        for k in range(i % 3)
    ]
    data["social_media"] = social
    return data


def write_synthetic_settings(
    examples: Path, project: Path, count: int, versions: bool = False
) -> list[str]:
    """Write ``count`` settings into ``project/settings`` from the example settings in
    ``examples``; with ``versions``, each gets its example's published versions folder."""
    bases = sorted(p for p in examples.glob("*.yml") if not p.name.startswith("_"))
    slugs = []
    for i in range(count):
        base = bases[i % len(bases)]
        data = _vary(yaml.safe_load(base.read_text(encoding="utf-8")), i)
        slug = f"s{i:04d}"
        path = project / "settings" / f"{slug}.yml"
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
        published = examples / base.stem / "versions"
        if versions and published.is_dir():
            shutil.copytree(published, project / "settings" / slug / "versions")
        slugs.append(slug)
    return slugs
