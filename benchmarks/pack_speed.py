"""How long a 12-essay course pack takes to build, with --jobs 1 and --jobs 2, against building the same essays
one by one (each its own EPUB and PDF).

The pack is made in a temporary folder from copies of the project's essays (the essay under content/, the
test essays and the course-pack test essays), twelve folders in all, and built through the real CLI with
--force, best of ``--repeat`` runs. Run: .venv/bin/python benchmarks/pack_speed.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
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


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall-clock seconds and CPU seconds (user + system, all processes) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "essaybook", *args], cwd=cwd, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def modelled(pack: Path) -> dict[str, float]:
    """CPU seconds of each step, measured in-process, and what they give on two otherwise idle cores: the
    single layout runs on one core; the parallel one is its main process's own work plus the parts' layouts
    scheduled on two workers in order (as the process pool hands them out). On a shared, loaded machine this
    is the fairer figure; the wall-clock runs above are what this machine gave."""
    import heapq

    from essaybook import build, pack_build, pack_stitch

    options = build.Options()
    out = pack.parent.parent / "out-model"
    out.mkdir(exist_ok=True)
    targets = {"epub": out / "twelve.epub", "pdf": out / "twelve.pdf"}
    cpu = time.process_time()
    book = pack_build.load_collection(pack, jobs=1)
    pack_build.make_pack_outputs(book, targets, options, jobs=1)
    single = time.process_time() - cpu
    seen: dict[str, list[float]] = {}
    original = pack_stitch.stitched_handout

    def spy(*args, **kwargs):
        result = original(*args, **kwargs)
        seen["parts"] = result.part_seconds
        return result

    pack_stitch.stitched_handout = spy
    try:
        cpu = time.process_time()
        book = pack_build.load_collection(pack, jobs=1)
        pack_build.make_pack_outputs(book, targets, options, jobs=2)
        main_cpu = time.process_time() - cpu
    finally:
        pack_stitch.stitched_handout = original
    workers = [0.0, 0.0]
    for seconds in seen["parts"]:
        heapq.heapreplace(workers, workers[0] + seconds)
    return {"single layout, 1 core": single, "parallel: main process": main_cpu,
            "parallel: parts' layouts (sum)": sum(seen["parts"]),
            "parallel, 2 idle cores (modelled)": main_cpu + max(workers)}


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
        # The runs are interleaved, round after round, so a change in the machine's load hits all of them.
        results: dict[str, tuple[float, float]] = {}
        loads = [os.getloadavg()[0]]
        for _ in range(args.repeat):
            for label, argv in runs.items():
                if argv[1] == "content":
                    hidden = folder / "packs-aside"
                    (folder / "packs").rename(hidden)
                    try:
                        run = timed([argv[0], *argv[2:]], folder)
                    finally:
                        hidden.rename(folder / "packs")
                else:
                    run = timed(argv, folder)
                results[label] = min(results.get(label, run), run)
            loads.append(os.getloadavg()[0])
        model = modelled(folder / "packs" / "twelve.yml")
        pages = subprocess.run(["pdfinfo", str(folder / "out-pack" / "twelve.pdf")], capture_output=True,
                               text=True).stdout
        pages = next((ln.split()[-1] for ln in pages.splitlines() if ln.startswith("Pages:")), "?")
    print(f"12-essay pack ({pages} pages), EPUB + PDF, best of {args.repeat} interleaved rounds on "
          f"{os.cpu_count()} cores (1-minute load average {min(loads):.1f} to {max(loads):.1f}):")
    for label, (wall, cpu) in results.items():
        print(f"  {label:34s} {wall:6.2f} s wall  {cpu:6.2f} s CPU")
    ratio = results["pack, --jobs 2"][0] / results["pack, --jobs 1"][0]
    print(f"  pack --jobs 2 / --jobs 1 (wall): {ratio:.2f}x")
    print("CPU seconds per step, in-process (essays parsed in this process in both):")
    for label, seconds in model.items():
        print(f"  {label:34s} {seconds:6.2f} s")
    print(f"  modelled --jobs 2 / --jobs 1: "
          f"{model['parallel, 2 idle cores (modelled)'] / model['single layout, 1 core']:.2f}x")


if __name__ == "__main__":
    main()
