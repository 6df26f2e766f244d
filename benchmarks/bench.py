"""essaybook against pandoc on the same Markdown, run side by side.

Each case alternates the two commands (essaybook, pandoc, essaybook, pandoc, …) so that both see the same
machine load, and reports the median of the per-pair ratios (essaybook time / pandoc time): below 1 means
essaybook is faster. Peak memory is each process's maximum resident set (from ``wait4``). A last line times
WeasyPrint's own layout of essaybook's page in-process: the floor for any PDF made with WeasyPrint.

Run: ``.venv/bin/python benchmarks/bench.py [--runs N]`` (pandoc comes from the ``pypandoc-binary`` package:
``.venv/bin/pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ESSAY = ROOT / "content" / "chinas-costly-inaction" / "essay.md"
MANUAL = ROOT.parent / "shared" / "corpus" / "pandoc-manual.md"


def run(cmd: list[str], cwd: Path, cold: bool = False) -> tuple[float, int]:
    """Wall time (s) and peak RSS (MB) of one command (a layout process it forks included: ``wait4`` reports
    the largest of the two); ``cold``: with an empty essaybook cache (no stamps, no remembered layouts, parses
    or covers), as on a first build."""
    env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}"}
    if cold:
        env["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="essaybook-bench-cache-")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss // 1024


RESULTS: list[tuple[str, float, float | None]] = []


def compare(name: str, ours: list[list[str]], theirs: list[list[str]], runs: int, cwd: Path,
            goal: float | None = None, cold: bool = True, before: list[list[str]] = (),
            memory_goal: float | None = None) -> None:
    """``before``: commands run (untimed) ahead of each of ours, e.g. the PDF whose layout an EPUB reuses;
    ``memory_goal``: the most essaybook's peak may be as a share of pandoc's (their largest process each)."""
    ratios, our_times, their_times, our_mem, their_mem = [], [], [], [], []
    for _ in range(runs):
        for c in before:
            run(c, cwd)
        t_ours = [run(c, cwd, cold=cold and not before) for c in ours]
        t_theirs = [run(c, cwd) for c in theirs]
        a, b = sum(t for t, _ in t_ours), sum(t for t, _ in t_theirs)
        ratios.append(a / b)
        our_times.append(a)
        their_times.append(b)
        our_mem.append(max(m for _, m in t_ours))
        their_mem.append(max(m for _, m in t_theirs))
    ratio = statistics.median(ratios)
    verdict = "" if goal is None else f"  goal ≤ {goal:<4} {'met' if ratio <= goal else 'MISSED'}"
    memory = max(our_mem) / max(their_mem)
    memory_verdict = "" if memory_goal is None else (
        f" = {memory:4.2f}  goal ≤ {memory_goal} {'met' if memory <= memory_goal else 'MISSED'}")
    print(f"{name:<40} essaybook {statistics.median(our_times):6.2f} s  pandoc {statistics.median(their_times):6.2f} s"
          f"  ratio {ratio:5.2f}{verdict:<20}  peak MB {max(our_mem):4d} vs {max(their_mem):4d}{memory_verdict}",
          flush=True)
    RESULTS.append((name, ratio, goal))
    if memory_goal is not None:
        RESULTS.append((f"{name} (peak memory)", memory, memory_goal))


def weasyprint_floor(source: Path, runs: int) -> None:
    """essaybook's PDF time against WeasyPrint's layout + write of the very same page, in one process."""
    sys.path.insert(0, str(ROOT / "src"))
    from essaybook.build import load
    from essaybook.paper import PAPERS
    from essaybook.pdf import paper_css, prepare_print
    from essaybook.styles import read_css
    from essaybook.weasy import weasyprint  # as essaybook loads it (pydyf's page references kept)
    from essaybook.xhtml import render_page, serialize

    doc = load(source)
    page = render_page(doc)
    prepare_print(page, doc, PAPERS["a4"])
    html = serialize(page).decode()
    css = read_css(("base.css", "print.css"), doc.folder) + paper_css(PAPERS["a4"])
    base = doc.folder.as_uri() + "/"
    floor = []
    for _ in range(runs):
        start = time.perf_counter()
        weasyprint.HTML(string=html, base_url=base).write_pdf(
            stylesheets=[weasyprint.CSS(string=css)], pdf_variant="pdf/ua-1")
        floor.append(time.perf_counter() - start)
    print(f"{'WeasyPrint layout+write, same page':<34} {statistics.median(floor):6.2f} s ({source.name})")


def many_essays(eb: str, work: Path, count: int = 20) -> None:
    """`essaybook build` of a folder of 20 essays: one process at a time against a pool of one per core."""
    root = work / "many"
    for n in range(count):
        shutil.copytree(ESSAY.parent, root / "content" / f"essay-{n:02d}")
    serial, _ = run([eb, "build", "--force", "-q", "--jobs", "1"], root)
    parallel, _ = run([eb, "build", "--force", "-q"], root)
    print(f"{'20 essays, build (EPUB + PDF)':<34} 1 job {serial:6.2f} s  {os.cpu_count()} jobs {parallel:6.2f} s"
          f"  speed-up {serial / parallel:4.2f}x")


def scaled_essays(eb: str, pandoc: str, work: Path, runs: int) -> None:
    """Cost against size: the essay ×1, ×10, ×100, and a 28,500-word essay, `build` against pandoc's two
    commands, with seconds per thousand words so linear growth shows as a flat column."""
    text = ESSAY.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    words = len(body.split())
    sizes = {"essay ×1": 1, "essay ×10": 10, "28,500 words": max(1, round(28_500 / words)), "essay ×100": 100}
    for name, times in sizes.items():
        folder = work / f"scaled-{times}"
        shutil.copytree(ESSAY.parent, folder, dirs_exist_ok=True)
        (folder / "essay.md").write_text(front + "\n---\n" + "\n\n".join([body] * times), encoding="utf-8")
        md = str(folder / "essay.md")
        n = max(1, runs // (4 if times >= 50 else 1))
        compare(f"{name} ({words * times:,} words): build", [[eb, "build", md, "--out-dir", "out", "-q", "--force"]],
                [[pandoc, md, f"--resource-path={folder}", "-o", "b.epub"],
                 [pandoc, md, f"--resource-path={folder}", "--pdf-engine=weasyprint", "-o", "b.pdf"]], n, work,
                goal=1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="the essay cases only")
    args = parser.parse_args()
    import compileall

    import pypandoc

    # essaybook's modules as an install has them, compiled: after an edit (with PYTHONDONTWRITEBYTECODE set, as
    # in many containers) each command would compile the edited ones again, which no user's install does.
    compileall.compile_dir(str(ROOT / "src"), quiet=1)

    pandoc = pypandoc.get_pandoc_path()
    eb = str(BIN / "essaybook")
    work = Path(tempfile.mkdtemp(prefix="essaybook-bench-"))
    shutil.copytree(ESSAY.parent, work / "essay-folder")
    essay = str(work / "essay-folder" / "essay.md")
    # pandoc finds the essay's picture as essaybook does (relative to the essay, not to the working folder).
    images = f"--resource-path={work / 'essay-folder'}"
    pandoc_epub = [pandoc, essay, images, "-o", "b.epub"]
    pandoc_pdf = [pandoc, essay, images, "--pdf-engine=weasyprint", "-o", "b.pdf"]
    print(f"pandoc {pypandoc.get_pandoc_version()}, {args.runs} alternating runs per case, medians\n")
    compare("essay: build (EPUB + PDF)", [[eb, "build", essay, "--out-dir", "out", "-q", "--force"]],
            [pandoc_epub, pandoc_pdf], args.runs, work, goal=1.0)
    compare("essay: pdf", [[eb, "pdf", essay, "-o", "a.pdf", "-q", "--force"]], [pandoc_pdf], args.runs, work,
            goal=1.0)
    compare("essay: epub, cold (vs pandoc's PDF)", [[eb, "epub", essay, "-o", "a.epub", "-q", "--force"]],
            [pandoc_pdf], args.runs, work, goal=1.0)
    compare("essay: epub, layout known (vs EPUB)", [[eb, "epub", essay, "-o", "a.epub", "-q", "--force"]],
            [pandoc_epub], args.runs, work, goal=2.5, before=[[eb, "pdf", essay, "-o", "a.pdf", "-q", "--force"]])
    compare("essay: epub --no-page-list", [[eb, "epub", essay, "-o", "a.epub", "-q", "--no-page-list", "--force"]],
            [pandoc_epub], args.runs, work)
    compare("essay: unchanged build", [[eb, "build", essay, "--out-dir", "out", "-q"]],
            [pandoc_epub, pandoc_pdf], args.runs, work, goal=0.2, cold=False,
            before=[[eb, "build", essay, "--out-dir", "out", "-q"]])
    if not args.quick:
        manual = str(MANUAL)
        m_epub, m_pdf = [pandoc, manual, "-o", "m2.epub"], [pandoc, manual, "--pdf-engine=weasyprint", "-o", "m2.pdf"]
        runs = max(2, args.runs // 2)
        compare("manual: build", [[eb, "build", manual, "--out-dir", "mout", "-q", "--force"]], [m_epub, m_pdf],
                runs, work, goal=1.0, memory_goal=1.0)
        compare("manual: pdf", [[eb, "pdf", manual, "-o", "m.pdf", "-q", "--force"]], [m_pdf], runs, work, goal=1.1,
                memory_goal=1.0)
        compare("manual: epub --no-page-list", [[eb, "epub", manual, "-o", "m.epub", "-q", "--no-page-list",
                                                 "--force"]], [m_epub], runs, work)
        scaled_essays(eb, pandoc, work, args.runs)
        many_essays(eb, work)
        weasyprint_floor(Path(essay), args.runs)
        weasyprint_floor(MANUAL, 2)
    missed = [name for name, ratio, goal in RESULTS if goal is not None and ratio > goal]
    goals = sum(g is not None for _, _, g in RESULTS)
    print(f"\n{goals - len(missed)} of {goals} goals met"
          + (f"; missed: {', '.join(missed)}" if missed else ""))
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
