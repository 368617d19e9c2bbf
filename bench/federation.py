"""Benchmark: building a federation of N synthetic settings, four ways, in one run.

    .venv/bin/python bench/federation.py --n 100            # (a) to (d), about 6 minutes
    .venv/bin/python bench/federation.py --n 300 --no-naive # (b) to (d) only

(a) the naive loop: ``mkdocs build`` in a subprocess per setting and view;
(b) a clean ``policy-sites build``; (c) a no-op rebuild; (d) a rebuild after one
setting's file changed. Each is a separate process, measured for wall time, peak memory
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
    return seconds, cpu, peak / 2**20, counts[-1].split(" in ")[0] if counts else ""


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100, help="How many settings (default 100).")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-naive", action="store_true", help="Skip (a), the slow one.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder.")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="policy-sites-bench-"))
    project = work / "project"
    copy_project(REPO, project)
    slugs = write_synthetic_settings(REPO / "settings", project, args.n, versions=True)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH="1700000000")
    env["XDG_CACHE_HOME"] = str(work / "cache")  # (b) starts with no compiled templates
    print(f"{args.n} synthetic settings in {project}; {args.jobs} jobs on {os.cpu_count()} cores")
    print(f"engine: {ENGINE} {ENGINE_VERSION}")

    results: list[Measure] = []
    if not args.no_naive:
        results.append(naive(project, slugs, work / "naive", env))
        print(f"  {results[-1].name}: {results[-1].seconds:.1f}s", flush=True)

    out = work / "site"
    build = [str(BIN / "policy-sites"), "build", "--project", str(project), "--out", str(out)]
    build += ["--jobs", str(args.jobs)]
    for name, prepare in (
        ("(b) policy-sites build, clean", None),
        ("(c) policy-sites build, nothing changed", None),
        ("(d) policy-sites build, one settings file changed", slugs[len(slugs) // 2]),
    ):
        if prepare:
            path = project / "settings" / f"{prepare}.yml"
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("name: ", "name: Renamed ", 1), encoding="utf-8")
        seconds, cpu, peak, counts = run(build, env)
        results.append(Measure(name, seconds, cpu, peak, size_mib(out)))
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
    print(f"per setting (both views, two published versions): {per_setting:.2f} MiB")
    if not args.no_naive:
        ratio = results[0].seconds / results[1].seconds
        cpu_ratio = results[0].cpu / results[1].cpu
        print(f"(a) / (b): {ratio:.1f} times faster (wall), {cpu_ratio:.1f} times less CPU")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.keep:
        print(f"kept {work}")
    else:
        subprocess.run(["rm", "-rf", str(work)], check=True)


if __name__ == "__main__":
    main()
