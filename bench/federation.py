"""Benchmark: building a federation of N synthetic settings, several ways, in one run.

    .venv/bin/python bench/federation.py --n 100            # (a) to (h)
    .venv/bin/python bench/federation.py --n 300 --no-naive --no-pdf # (b) to (d) only

(a) the naive loop: ``mkdocs build`` in a subprocess per setting and view (no PDFs);
without PDFs (``--no-pdf``): (b) a clean ``policy-sites build``; (c) a no-op rebuild;
(d) a rebuild after one setting's file changed; with PDFs, into another folder: (e) a
clean build with an empty PDF cache, (f) a clean build (the folder deleted) with the PDF
cache (e) left, (g) a no-op rebuild, (h) a rebuild after another setting's file changed.
Each is a separate process, measured for wall time, peak memory
(the largest total resident memory of the process and its children, sampled every
20 ms) and the size of its output. The settings are made by ``bench/synthetic.py``
from the examples, each with its example's published versions.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import copy_project, write_synthetic_settings
from policy_sites.render.engine import ENGINE, ENGINE_VERSION

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measure:
    name: str
    seconds: float
    cpu: float
    peak_mib: float
    output_mib: float
    note: str = ""


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _tree_rss(root: int) -> int:
    tree, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        with contextlib.suppress(OSError, IndexError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        todo += tree.get(pid, [])
    return total


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Run a command; return wall seconds, CPU seconds, peak MiB of it and its children,
    and the last line it wrote to stderr that counts what was built."""
    peak = 0
    stop = threading.Event()
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=log, stderr=log)

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, _tree_rss(process.pid))
                stop.wait(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = code = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
        stop.set()
        sampler.join()
        log.seek(0)
        text = log.read().decode(errors="replace")
        if code:
            sys.stderr.write(text[-4000:])
            raise SystemExit(f"{' '.join(command)} failed with exit code {code}")
    counts = [line for line in text.splitlines() if " skipped as unchanged, " in line]
    pdfs = [line for line in text.splitlines() if line.startswith("PDFs: ")]
    said = counts[-1].split(" in ")[0] if counts else ""
    return seconds, cpu, peak / 2**20, "; ".join([said, *pdfs[-1:]])


def size_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def naive(project: Path, slugs: list[str], out: Path, env: dict[str, str]) -> Measure:
    """(a) ``mkdocs build`` (or ``properdocs build``) per setting and view, as a shell loop
    would."""
    seconds, cpu, peak = 0.0, 0.0, 0.0
    for slug in slugs:
        for audience, sub in (("parents", ""), ("staff", "staff")):
            view_env = dict(env, POLICY_SETTING=slug, POLICY_AUDIENCE=audience)
            command = [str(BIN / ENGINE), "build", "-q", "-f", str(project / "mkdocs.yml")]
            spent, busy, used, _ = run([*command, "-d", str(out / slug / sub)], view_env)
            seconds, cpu, peak = seconds + spent, cpu + busy, max(peak, used)
    name = f"(a) naive loop: {ENGINE} build per setting and view"
    return Measure(name, seconds, cpu, peak, size_mib(out))


def add_policies(project: Path, extra: int) -> None:
    """``extra`` more shared policies, published by every setting: each a copy of one
    of the two sources under its own id and title (a policy is a file: no code, no menu
    entry; the copies declare the same facts as their originals)."""
    policies = project / "docs" / "policies"
    sources = sorted(policies.glob("*.md"))
    added = []
    for number in range(extra):
        source = sources[number % len(sources)]
        pid = f"{source.stem}-copy-{number + 1}"
        text = source.read_text(encoding="utf-8")
        text = text.replace(f"policy_id: {source.stem}\n", f"policy_id: {pid}\n", 1)
        heading = next(line for line in text.splitlines() if line.startswith("# "))
        text = text.replace(heading, f"{heading} (copy {number + 1})", 1)
        (policies / f"{pid}.md").write_text(text, encoding="utf-8")
        added.append(pid)
    for path in (project / "settings").glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        if "\npolicies:\n" in text:
            entries = "".join(f"  {pid}: {{}}\n" for pid in added)
            path.write_text(text.replace("\npolicies:\n", f"\npolicies:\n{entries}", 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100, help="How many settings (default 100).")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-naive", action="store_true", help="Skip (a), the slow one.")
    parser.add_argument("--no-pdf", action="store_true", help="Skip (e) to (h), with PDFs.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder.")
    parser.add_argument(
        "--policies",
        type=int,
        default=2,
        help="How many shared policies each setting publishes (default 2, the examples'; "
        "more are copies of the two sources under new ids, with no published versions).",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="policy-sites-bench-"))
    project = work / "project"
    copy_project(REPO, project)
    slugs = write_synthetic_settings(REPO / "settings", project, args.n, versions=True)
    add_policies(project, args.policies - 2)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH="1700000000")
    env["XDG_CACHE_HOME"] = str(work / "cache")  # (b) starts with no compiled templates
    print(f"{args.n} synthetic settings in {project}; {args.jobs} jobs on {os.cpu_count()} cores")
    print(f"engine: {ENGINE} {ENGINE_VERSION}")

    results: list[Measure] = []
    if not args.no_naive:
        results.append(naive(project, slugs, work / "naive", env))
        print(f"  {results[-1].name}: {results[-1].seconds:.1f}s", flush=True)

    out = work / "site"
    base = [str(BIN / "policy-sites"), "build", "--project", str(project), "--jobs", str(args.jobs)]

    def change(slug: str) -> None:
        path = project / "settings" / f"{slug}.yml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("name: ", "name: Renamed ", 1), encoding="utf-8")

    steps = [
        ("(b) policy-sites build, clean", "--no-pdf", out, None, False),
        ("(c) policy-sites build, nothing changed", "--no-pdf", out, None, False),
        (
            "(d) policy-sites build, one settings file changed",
            "--no-pdf",
            out,
            slugs[len(slugs) // 2],
            False,
        ),
    ]
    if not args.no_pdf:
        with_pdf = work / "site-pdf"
        steps += [
            ("(e) with PDFs, clean, empty PDF cache", "--pdf", with_pdf, None, False),
            ("(f) with PDFs, clean, PDF cache kept", "--pdf", with_pdf, None, True),
            ("(g) with PDFs, nothing changed", "--pdf", with_pdf, None, False),
            (
                "(h) with PDFs, one settings file changed",
                "--pdf",
                with_pdf,
                slugs[len(slugs) // 3],
                False,
            ),
        ]
    pdf_env = dict(env, XDG_CACHE_HOME=str(work / "cache-pdf"))  # (e): no templates, no PDFs
    for name, switch, folder, changed, clean in steps:
        if changed:
            change(changed)
        if clean:
            subprocess.run(["rm", "-rf", str(folder)], check=True)
        command = [*base, "--out", str(folder), switch]
        seconds, cpu, peak, counts = run(command, pdf_env if switch == "--pdf" else env)
        results.append(Measure(name, seconds, cpu, peak, size_mib(folder)))
        print(f"  {name}: {seconds:.2f}s ({counts})", flush=True)

    sites = [out / slug for slug in slugs]
    per_setting = sum(size_mib(site) for site in sites) / len(sites)
    print()
    print(f"{'':52} {'wall':>9} {'CPU':>9} {'peak memory':>12} {'output':>10}")
    for m in results:
        print(
            f"{m.name:52} {m.seconds:8.2f}s {m.cpu:8.2f}s {m.peak_mib:8.0f} MiB "
            f"{m.output_mib:6.1f} MiB"
        )
    print()
    print(f"shared assets: {size_mib(out / 'assets'):.2f} MiB, written once")
    print(f"per setting (both views, with its published versions): {per_setting:.2f} MiB")
    if not args.no_naive:
        naive_run = results[0]
        for measured in results[1:]:
            if "clean" in measured.name:
                ratio = naive_run.seconds / measured.seconds
                cpu_ratio = naive_run.cpu / measured.cpu
                print(
                    f"(a) / {measured.name[:3]}: {ratio:.1f} times faster (wall), "
                    f"{cpu_ratio:.1f} times less CPU"
                )
    if not args.no_pdf:
        pdfs = len(list((work / "site-pdf").rglob("*.pdf")))
        print(f"PDFs: {pdfs}, {size_mib(work / 'site-pdf') - size_mib(out):.1f} MiB in all")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.keep:
        print(f"kept {work}")
    else:
        subprocess.run(["rm", "-rf", str(work)], check=True)


if __name__ == "__main__":
    main()
