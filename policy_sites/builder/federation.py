"""Building sites: each setting's two views into a temporary folder, swapped in only on success.

A failing setting keeps its previous site untouched and does not stop the others. Every
build is a real MkDocs build with strict mode on, so a warning (a broken link, a missing
anchor) fails the setting rather than shipping.

``build_federation`` builds many settings at once: in worker processes that each reuse
compiled templates between sites, skipping settings whose inputs have not changed,
writing the theme's assets once for every site, then the portal page.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import hashlib
import multiprocessing
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from policy_sites.builder.inputs import Inputs
from policy_sites.builder.output import owned_output, setting_folder
from policy_sites.builder.pdf import PdfCache, PdfReport, default_pdf_cache
from policy_sites.builder.portal import (
    PortalLeak,
    SettingSummary,
    fresh_until,
    summarise,
    write_portal,
)
from policy_sites.builder.site import BuildResult, BuildStatus, build_setting
from policy_sites.builder.state import BuildState
from policy_sites.context.phrases import join_and, plural
from policy_sites.context.variables import review_day
from policy_sites.context.views import STAFF
from policy_sites.project import Project
from policy_sites.render.engine import Reuse, default_cache_folder, load_config
from policy_sites.render.shared_assets import write_shared_assets
from policy_sites.settings.loader import DEFAULTS_FILE, read_mapping, setting_slugs
from policy_sites.settings.names import display_name, slug_problem

__all__ = [
    "BuildOptions",
    "FederationReport",
    "assemble_portal",
    "build_federation",
    "federation_title",
    "in_shard",
    "missing_shards",
    "parse_shard",
    "portal_summaries",
]


def parse_shard(text: str) -> tuple[int, int]:
    """'K/N' (1 <= K <= N) as (K, N); ValueError otherwise."""
    k, sep, n = text.partition("/")
    if not (sep and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise ValueError(f"a shard is written K/N with 1 <= K <= N, e.g. 2/4, not {text!r}")
    return int(k), int(n)


def in_shard(slug: str, k: int, n: int) -> bool:
    """Whether shard K of N builds ``slug``: a stable hash, so adding a setting moves no other."""
    return int(hashlib.sha256(slug.encode()).hexdigest(), 16) % n == k - 1


@dataclass
class BuildOptions:
    """How ``build_federation`` goes about it."""

    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    force: bool = False
    """Rebuild every setting, changed or not."""
    shard: tuple[int, int] | None = None
    """Build only shard K of N (and write no portal: the shards' reports make it)."""
    shared_assets: bool = True
    portal: bool = True
    cache_folder: Path | None = field(default_factory=default_cache_folder)
    """Compiled templates kept between runs (None: in memory only)."""
    pdf: bool = False
    """Make each published version's PDF and the staff induction packs (needs WeasyPrint)."""
    pdf_cache: Path | None = field(default_factory=default_pdf_cache)
    """Made PDFs kept between runs, by content (None: none kept)."""
    preview: bool = False
    """Show every policy's working copy, marked draft, instead of its published version."""
    drafts: bool = False
    """Include the policies whose source says ``draft: true`` (left out otherwise)."""


@dataclass
class FederationReport:
    """What one federation build did."""

    out_root: Path
    today: dt.date
    results: list[BuildResult]
    seconds: float = 0.0
    shard: tuple[int, int] | None = None
    portal: Path | None = None

    @property
    def pdfs(self) -> PdfReport | None:
        """PDFs made and copied from the cache by this run (None: it made none)."""
        reports = [result.pdfs for result in self.results if result.pdfs is not None]
        if not reports:
            return None
        total = PdfReport()
        for report in reports:
            total.add(report)
        return total

    def of(self, status: BuildStatus) -> list[BuildResult]:
        return [result for result in self.results if result.status == status]

    @property
    def ok(self) -> bool:
        return not self.of(BuildStatus.FAILED)

    def to_json(self) -> dict:
        """The report as written by ``--report``; ``policy-sites portal`` reads it back."""
        return {
            "out": str(self.out_root),
            "today": self.today.isoformat(),
            "shard": f"{self.shard[0]}/{self.shard[1]}" if self.shard else None,
            "seconds": round(self.seconds, 3),
            "counts": {s.value: len(self.of(s)) for s in BuildStatus},
            "pdfs": vars(self.pdfs) if self.pdfs else None,
            "settings": [
                {
                    "slug": r.slug,
                    "status": r.status.value,
                    "seconds": round(r.seconds, 3),
                    "reason": r.reason or None,
                    "summary": r.summary.to_json() if r.summary else None,
                }
                for r in sorted(self.results, key=lambda r: r.slug)
            ],
        }


_WORKER_REUSE: Reuse | None = None
_WORKER_PDFS: PdfCache | None = None


def _pdf_cache(options: BuildOptions) -> PdfCache | None:
    return PdfCache(options.pdf_cache) if options.pdf else None


def _start_worker(options: BuildOptions, parent: int) -> None:
    global _WORKER_REUSE, _WORKER_PDFS
    _stop_with_parent(parent)
    # Ctrl-C reaches the whole process group: the parent stops the workers, so a worker
    # does not print its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, if it set one
    _WORKER_REUSE = Reuse(options.cache_folder)
    _WORKER_PDFS = _pdf_cache(options)


def _stop_with_parent(parent: int) -> None:
    """End this worker when the build that started it dies, however it dies (even SIGKILL).

    On Linux the kernel sends SIGTERM (prctl PR_SET_PDEATHSIG); elsewhere a thread
    watches for the parent to go.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0
    except (OSError, AttributeError):
        armed = False
    if not armed:

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1)
            os._exit(1)

        threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()
    if os.getppid() != parent:  # it died before the signal was armed
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _build_and_summarise(
    project: Project,
    slug: str,
    out_root: Path,
    reuse: Reuse | None,
    options: BuildOptions,
    today: dt.date,
    pdfs: PdfCache | None,
) -> BuildResult:
    result = build_setting(
        project,
        slug,
        out_root,
        reuse,
        options.shared_assets,
        pdfs,
        preview=options.preview,
        drafts=options.drafts,
        today=today,
    )
    if result.ok:
        try:
            result.summary = summarise(project, slug, public=True)
        except PortalLeak as error:
            result.error = str(error)
        except Exception as error:  # the build read the same setting, so this is unexpected
            result.summary = SettingSummary(slug, error=f"no summary: {error}")
    return result


def _worker_task(
    root: str, slug: str, out_root: str, options: BuildOptions, today: dt.date
) -> BuildResult:
    return _build_and_summarise(
        Project(Path(root)), slug, Path(out_root), _WORKER_REUSE, options, today, _WORKER_PDFS
    )


def _run(
    project: Project,
    todo: list[str],
    out_root: Path,
    options: BuildOptions,
    today: dt.date,
    started: Callable[[], None],
) -> Iterator[BuildResult]:
    """Build ``todo``, yielding each result as it completes; ``started`` once work is under way."""
    jobs = max(1, min(options.jobs, len(todo)))
    if jobs == 1:
        started()
        reuse, pdfs = Reuse(options.cache_folder), _pdf_cache(options)
        for slug in todo:
            yield _build_and_summarise(project, slug, out_root, reuse, options, today, pdfs)
        return
    methods = multiprocessing.get_all_start_methods()
    # fork: workers start with everything imported; all of them are forked at the first
    # submit, before ``started`` may start a progress display's thread.
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=context,
        initializer=_start_worker,
        initargs=(options, os.getpid()),
    )
    try:
        root, out = str(project.root), str(out_root)
        futures = {pool.submit(_worker_task, root, s, out, options, today): s for s in todo}
        started()
        for future in as_completed(futures):
            slug = futures[future]
            try:
                yield future.result()
            except Exception as error:  # a worker died (out of memory, killed)
                yield BuildResult(slug, out_root / slug, error=f"worker failed: {error!r}")
    except BaseException:  # interrupted (Ctrl-C, SIGTERM) or a fault: stop the workers now
        pool.shutdown(wait=False, cancel_futures=True)
        for child in multiprocessing.active_children():
            child.terminate()
        raise
    else:
        pool.shutdown()


def _unchanged(
    state: BuildState, slug: str, fingerprint: str, out_root: Path, today: dt.date
) -> bool:
    entry = state.settings.get(slug) or {}
    fresh, built_on = entry.get("fresh_until"), entry.get("built_on", "")
    return (
        entry.get("fingerprint") == fingerprint
        and built_on <= today.isoformat() <= (fresh or "9999-12-31")
        and (out_root / slug / "index.html").is_file()
        and (out_root / slug / STAFF.subpath / "index.html").is_file()
    )


def _update_shared_assets(project: Project, out_root: Path, state: BuildState, digest: str) -> None:
    listed = list(state.assets.get("files") or [])
    unchanged = state.assets.get("digest") == digest and listed
    if unchanged and all((out_root / name).is_file() for name in listed):
        return
    config = load_config(str(project.config_file), site_dir=str(out_root))
    state.assets = {"digest": digest, "files": write_shared_assets(config, out_root, listed)}


def federation_title(project: Project) -> str:
    """The portal's title: '<federation> policies', from the federation defaults."""
    name = (read_mapping(project.settings_dir / DEFAULTS_FILE) or {}).get("federation")
    return f"{name}: policies" if name else "Policies"


def portal_summaries(
    state: BuildState, failures: Iterable[BuildResult] = ()
) -> list[SettingSummary]:
    """Every built setting's summary, with this run's failures marked (or added)."""
    summaries = {slug: _stored_summary(slug, entry) for slug, entry in state.settings.items()}
    for result in failures:
        if not slug_problem(result.slug):  # a file badly named has no site to list
            _mark_failed(summaries, result.slug, result.reason)
    return [summaries[slug] for slug in sorted(summaries)]


def _stored_summary(slug: str, entry: Mapping) -> SettingSummary:
    """A summary kept as JSON (the build state, a shard's report)."""
    stored = entry.get("summary")
    return SettingSummary.from_json(stored) if stored else SettingSummary(slug)


def _mark_failed(summaries: dict[str, SettingSummary], slug: str, reason: str | None) -> None:
    """Show a setting's failure on the portal (kept beside its last good summary)."""
    summaries[slug] = summaries.get(slug, SettingSummary(slug)).failed(reason)


def build_federation(
    project: Project,
    slugs: Sequence[str] | None,
    out_root: Path,
    options: BuildOptions | None = None,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[BuildResult], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> FederationReport:
    """Build the settings named (every setting if None) into ``out_root``, as cheaply as possible.

    Unchanged settings are skipped, the rest built in ``options.jobs`` worker processes;
    ``on_start`` gets how many settings there are, ``on_result`` each one's result as it
    comes. The state, shared assets and portal are updated at the end. ``out_root`` must
    be an output folder (see ``output.owned_output``); ``on_wait`` hears if another build
    holds it.
    """
    options = options or BuildOptions()
    clock = time.perf_counter()
    today = review_day()
    everything = slugs is None and options.shard is None
    available = setting_slugs(project.settings_dir)
    chosen = list(dict.fromkeys(slugs)) if slugs is not None else available
    if options.shard:
        chosen = [slug for slug in chosen if in_shard(slug, *options.shard)]
    with owned_output(project, out_root, on_wait):
        state = BuildState.load(out_root)
        report = FederationReport(out_root, today, [], shard=options.shard)

        def done(result: BuildResult) -> None:
            report.results.append(result)
            if on_result:
                on_result(result)

        pdf = PdfCache(options.pdf_cache).engine if options.pdf else "none"
        extra = (
            f"shared-assets={options.shared_assets} preview={options.preview} "
            f"drafts={options.drafts} pdf={pdf}"
        )
        inputs = Inputs(project, extra=extra)
        if options.shared_assets:
            _update_shared_assets(project, out_root, state, inputs.theme)
        fingerprints: dict[str, str] = {}
        ready: list[BuildResult] = []
        todo: list[str] = []
        for slug in chosen:
            bad_name = slug_problem(slug)
            if bad_name:  # a settings file named '..yml', 'Poppys.yml', 'assets.yml'
                reason = f"settings file's name: {bad_name}"
                ready.append(BuildResult(display_name(slug), out_root, error=reason))
                continue
            fingerprints[slug] = inputs.fingerprint(slug)
            if not options.force and _unchanged(state, slug, fingerprints[slug], out_root, today):
                summary = _stored_summary(slug, state.settings[slug])
                ready.append(BuildResult(slug, out_root / slug, skipped=True, summary=summary))
            else:
                todo.append(slug)

        def started() -> None:
            if on_start:
                on_start(len(chosen))
            for result in ready:
                done(result)

        for result in _run(project, todo, out_root, options, today, started):
            if result.ok:
                summary = result.summary or SettingSummary(result.slug)
                state.settings[result.slug] = {
                    "fingerprint": fingerprints[result.slug],
                    "fresh_until": fresh_until(summary, today),
                    "built_on": today.isoformat(),
                    "summary": summary.to_json(),
                }
            done(result)

        if everything:
            for gone in sorted(set(state.settings) - set(available)):
                folder = setting_folder(out_root, gone)  # the state file could say anything
                if folder is not None and folder.is_dir() and not folder.is_symlink():
                    shutil.rmtree(folder, ignore_errors=True)
                del state.settings[gone]
        state.save(out_root)
        if options.portal and options.shard is None:
            summaries = portal_summaries(state, report.of(BuildStatus.FAILED))
            report.portal = write_portal(out_root, summaries, today, federation_title(project))
    report.seconds = time.perf_counter() - clock
    return report


def missing_shards(reports: Iterable[Mapping]) -> str | None:
    """What the shards' reports leave out, in words ('shards 2/3 and 3/3'), or None when
    they cover every shard (or came from builds without shards): a portal written from
    some of them would quietly list only some settings."""
    counts = set()
    present = set()
    for report in reports:
        if shard := report.get("shard"):
            k, n = parse_shard(str(shard))
            counts.add(n)
            present.add(k)
    if not counts:
        return None
    if len(counts) > 1:
        return f"reports from builds split {join_and(str(n) for n in sorted(counts))} ways"
    (n,) = counts
    missing = [f"{k}/{n}" for k in range(1, n + 1) if k not in present]
    return f"{plural(len(missing), 'shard')} {join_and(missing)}" if missing else None


def assemble_portal(
    project: Project,
    reports: Iterable[Mapping],
    out_root: Path,
    on_wait: Callable[[str], None] | None = None,
) -> Path:
    """Write the portal from several shards' ``--report`` files (their union)."""
    summaries: dict[str, SettingSummary] = {}
    days = []
    for report in reports:
        days.append(dt.date.fromisoformat(report["today"]))
        for entry in report.get("settings", []):
            if slug_problem(str(entry.get("slug"))):
                continue  # only a setting's name may become a link on the portal
            summaries[entry["slug"]] = _stored_summary(entry["slug"], entry)
            if entry.get("status") == BuildStatus.FAILED:
                _mark_failed(summaries, entry["slug"], entry.get("reason"))
    today = max(days) if days else review_day()
    ordered = [summaries[slug] for slug in sorted(summaries)]
    with owned_output(project, out_root, on_wait):
        return write_portal(out_root, ordered, today, federation_title(project))
