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


def run(cmd: list[str], cwd: Path) -> tuple[float, int]:
    """Wall time (s) and peak RSS (MB) of one command."""
    env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}"}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss // 1024


def compare(name: str, ours: list[list[str]], theirs: list[list[str]], runs: int, cwd: Path) -> None:
    ratios, our_times, their_times, our_mem, their_mem = [], [], [], [], []
    for _ in range(runs):
        t_ours = [run(c, cwd) for c in ours]
        t_theirs = [run(c, cwd) for c in theirs]
        a, b = sum(t for t, _ in t_ours), sum(t for t, _ in t_theirs)
        ratios.append(a / b)
        our_times.append(a)
        their_times.append(b)
        our_mem.append(max(m for _, m in t_ours))
        their_mem.append(max(m for _, m in t_theirs))
    print(f"{name:<34} essaybook {statistics.median(our_times):6.2f} s  pandoc {statistics.median(their_times):6.2f} s"
          f"  ratio {statistics.median(ratios):5.2f}  peak MB {max(our_mem):4d} vs {max(their_mem):4d}")


def weasyprint_floor(source: Path, runs: int) -> None:
    """essaybook's PDF time against WeasyPrint's layout + write of the very same page, in one process."""
    sys.path.insert(0, str(ROOT / "src"))
    import weasyprint

    from essaybook.build import load
    from essaybook.paper import PAPERS
    from essaybook.pdf import paper_css, prepare_print
    from essaybook.styles import read_css
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    import pypandoc

    pandoc = pypandoc.get_pandoc_path()
    eb = str(BIN / "essaybook")
    work = Path(tempfile.mkdtemp(prefix="essaybook-bench-"))
    essay = work / "essay.md"
    shutil.copytree(ESSAY.parent, work / "essay-folder")
    essay = work / "essay-folder" / "essay.md"
    print(f"pandoc {pypandoc.get_pandoc_version()}, {args.runs} alternating runs per case, medians\n")
    compare("essay -> EPUB", [[eb, "epub", str(essay), "-o", "a.epub", "-q", "--force"]],
            [[pandoc, str(essay), "-o", "b.epub"]], args.runs, work)
    compare("essay -> EPUB (--no-page-list)",
            [[eb, "epub", str(essay), "-o", "a.epub", "-q", "--no-page-list", "--force"]],
            [[pandoc, str(essay), "-o", "b.epub"]], args.runs, work)
    compare("essay -> PDF", [[eb, "pdf", str(essay), "-o", "a.pdf", "-q", "--force"]],
            [[pandoc, str(essay), "--pdf-engine=weasyprint", "-o", "b.pdf"]], args.runs, work)
    compare("essay -> EPUB + PDF (build)", [[eb, "build", str(essay), "--out-dir", "out", "-q", "--force"]],
            [[pandoc, str(essay), "-o", "b.epub"], [pandoc, str(essay), "--pdf-engine=weasyprint", "-o", "b.pdf"]],
            args.runs, work)
    compare("essay, unchanged (reused outputs)", [[eb, "build", str(essay), "--out-dir", "out", "-q"]],
            [[pandoc, str(essay), "-o", "b.epub"], [pandoc, str(essay), "--pdf-engine=weasyprint", "-o", "b.pdf"]],
            args.runs, work)
    compare("manual -> EPUB", [[eb, "epub", str(MANUAL), "-o", "m.epub", "-q", "--force"]],
            [[pandoc, str(MANUAL), "-o", "m2.epub"]], max(2, args.runs // 2), work)
    compare("manual -> EPUB (--no-page-list)",
            [[eb, "epub", str(MANUAL), "-o", "m.epub", "-q", "--no-page-list", "--force"]],
            [[pandoc, str(MANUAL), "-o", "m2.epub"]], max(2, args.runs // 2), work)
    compare("manual -> PDF", [[eb, "pdf", str(MANUAL), "-o", "m.pdf", "-q", "--force"]],
            [[pandoc, str(MANUAL), "--pdf-engine=weasyprint", "-o", "m2.pdf"]], max(2, args.runs // 2), work)
    many_essays(eb, work)
    weasyprint_floor(essay, args.runs)
    weasyprint_floor(MANUAL, 2)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
