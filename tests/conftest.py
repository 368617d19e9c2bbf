"""Shared fixtures: real sites built once per session, and throwaway project copies to break."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from filelock import FileLock

from bench.synthetic import copy_project as shared_parts
from policy_sites.builder.federation import BuildOptions, build_federation
from policy_sites.builder.pdf import engine_problem
from policy_sites.builder.site import build_settings
from policy_sites.project import Project
from tests.helpers import REPO, in_ci
from tests.nginx_server import NginxServer, run_nginx

EXAMPLES = ("halstead", "poppys")


def _once_per_run(
    factory: pytest.TempPathFactory, worker_id: str, name: str, build: Callable[[Path], None]
) -> Path:
    """The folder ``name``, made by ``build`` once per test run rather than once per
    pytest-xdist worker: the first worker to ask builds it under a file lock, the others
    wait for it (pytest-xdist's documented way to run a session fixture once). Tests only
    read what it holds."""
    shared = factory.getbasetemp()
    if worker_id != "master":  # the run's folder, above each worker's own
        shared = shared.parent
    out, done = shared / name, shared / f"{name}.done"
    with FileLock(str(shared / f"{name}.lock")):
        if not done.exists():
            build(out)
            done.touch()
    return out


@pytest.fixture(scope="session")
def built_sites(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The example settings, built once with the real MkDocs into a temporary site folder."""

    def build(out: Path) -> None:
        results = build_settings(Project(REPO), EXAMPLES, out)
        failed = {r.slug: r.error for r in results if not r.ok}
        assert not failed, failed

    return _once_per_run(tmp_path_factory, worker_id, "site", build)


@pytest.fixture(scope="session")
def published_sites(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The example settings as ``policy-sites build`` writes them: shared theme assets,
    portal and, where WeasyPrint can run (always in CI), the PDFs, so the browser and nginx
    tests see the download links and the files behind them."""

    def build(out: Path) -> None:
        pdf = engine_problem() is None or in_ci()
        cache = out.with_name(f"{out.name}-pdf-cache")
        options = BuildOptions(jobs=1, pdf=pdf, pdf_cache=cache)
        report = build_federation(Project(REPO), list(EXAMPLES), out, options)
        failed = {r.slug: r.error for r in report.results if not r.ok}
        assert not failed, failed

    return _once_per_run(tmp_path_factory, worker_id, "published", build)


@pytest.fixture(scope="session")
def nginx_server(
    published_sites: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NginxServer]:
    """The published example sites served by a real nginx with the generated configuration;
    each staff view has one login (``STAFF_USERS``, password ``STAFF_PASSWORD``)."""
    state = tmp_path_factory.mktemp("nginx")
    with run_nginx(Project(REPO), published_sites, state, STAFF_USERS) as server:
        yield server


STAFF_USERS = {"halstead": "harriet", "poppys": "penny"}


def copy_project(target: Path) -> Project:
    """A copy of this project's sources, settings, macros and overrides, safe to edit."""
    shared_parts(REPO, target)
    shutil.copytree(REPO / "settings", target / "settings", dirs_exist_ok=True)
    return Project(target)


@pytest.fixture
def project_copy(tmp_path: Path) -> Project:
    return copy_project(tmp_path / "project")


@pytest.fixture
def edit() -> Callable[[Path, str, str], None]:
    """Replace text in a file, failing loudly if the text is not there."""

    def replace(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return replace
