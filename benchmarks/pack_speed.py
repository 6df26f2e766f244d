"""How long a 12-essay course pack takes to build, with --jobs 1 and --jobs 2, against building the same essays
one by one (each its own EPUB and PDF).

The pack is made in a temporary folder from copies of the project's essays (the essay under content/, the
test essays and the course-pack test essays), twelve folders in all, and built through the real CLI with
--force, best of ``--repeat`` runs. Run: .venv/bin/python benchmarks/pack_speed.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "content" / "chinas-costly-inaction",
           *(ROOT / "tests" / "essays" / n for n in ("footnotes-and-tables", "figures-and-names", "korean-essay")),
           *sorted((ROOT / "tests" / "course" / "content").iterdir())]
ESSAYS = 12


def make_pack(folder: Path) -> Path:
    content = folder / "content"
    content.mkdir()
    names = []
    for n in range(ESSAYS):
        source = SOURCES[n % len(SOURCES)]
        name = f"{n + 1:02d}-{source.name}"
        shutil.copytree(source, content / name)
        names.append(name)
    (folder / "packs").mkdir()
    pack = folder / "packs" / "twelve.yml"
    pack.write_text("title: Twelve Essays\neditors: [A. Editor]\nlang: en\nessays:\n" +
                    "".join(f"  - ../content/{name}\n" for name in names), encoding="utf-8")
    return pack


def timed(args: list[str], cwd: Path, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "essaybook", *args], cwd=cwd, check=True, capture_output=True)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="essaybook-pack-bench-") as tmp:
        folder = Path(tmp)
        make_pack(folder)
        runs = {
            "pack, --jobs 1": ["build", "packs/twelve.yml", "--force", "--jobs", "1", "--out-dir", "out-pack"],
            "pack, --jobs 2": ["build", "packs/twelve.yml", "--force", "--jobs", "2", "--out-dir", "out-pack"],
            "12 essays one by one, --jobs 1": ["build", "content", "--force", "--jobs", "1", "--out-dir", "out-e"],
            "12 essays one by one, --jobs 2": ["build", "content", "--force", "--jobs", "2", "--out-dir", "out-e"],
        }
        # "content" as SOURCE would be one essay; without SOURCE, build takes content/ and packs/: move the pack.
        results = {}
        for label, argv in runs.items():
            if argv[1] == "content":
                hidden = folder / "packs-aside"
                (folder / "packs").rename(hidden)
                try:
                    results[label] = timed([argv[0], *argv[2:]], folder, args.repeat)
                finally:
                    hidden.rename(folder / "packs")
            else:
                results[label] = timed(argv, folder, args.repeat)
        pages = subprocess.run(["pdfinfo", str(folder / "out-pack" / "twelve.pdf")], capture_output=True,
                               text=True).stdout
        pages = next((ln.split()[-1] for ln in pages.splitlines() if ln.startswith("Pages:")), "?")
    print(f"12-essay pack ({pages} pages), EPUB + PDF, best of {args.repeat}:")
    for label, seconds in results.items():
        print(f"  {label:34s} {seconds:6.2f} s")
    ratio = results["pack, --jobs 2"] / results["pack, --jobs 1"]
    print(f"  pack --jobs 2 / --jobs 1: {ratio:.2f}x")


if __name__ == "__main__":
    main()
