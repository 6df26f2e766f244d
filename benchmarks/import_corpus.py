"""Import every page of the Readability corpus, build each essay's EPUB, check them all with EPUBCheck, and
print the metadata agreement with expected-metadata.json, the text agreement with Readability's own output
(4-gram shingle F1 against expected.html: a reference, not ground truth) and the seconds per page.

    .venv/bin/python benchmarks/import_corpus.py [NAME ...] [--no-epub] [--show]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from essaybook import run, validate  # noqa: E402
from essaybook.importer import import_sources  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "web" / "readability"
for parent in ROOT.parents:
    if (parent / "shared" / "corpus").is_dir():
        CORPUS = parent / "shared" / "corpus" / "web" / "readability"
        break


def norm(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = text.translate(str.maketrans("‘’“”–—", "''\"\"--"))
    return " ".join(text.split())


def name_tokens(text: str | None) -> set[str]:
    text = re.sub(r"^\s*(by|von|par|por)\s+", "", norm(text))
    return set(re.findall(r"\w+", text)) - {"by", "and", "und", "et"}


def words_of(text: str) -> list[str]:
    """Words, with each CJK character a word of its own (those scripts do not space their words)."""
    return re.findall(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W\u3040-\u30ff\u3400-\u9fff"
                      r"\uac00-\ud7af\uf900-\ufaff]+", norm(text))


def shingles(text: str, n: int = 4) -> dict[tuple, int]:
    words = words_of(text)
    out: dict[tuple, int] = {}
    for i in range(len(words) - n + 1):
        key = tuple(words[i:i + n])
        out[key] = out.get(key, 0) + 1
    return out


def f1(ours: str, theirs: str) -> float:
    a, b = shingles(ours), shingles(theirs)
    if not a or not b:
        return 1.0 if not a and not b else 0.0
    common = sum(min(v, b.get(k, 0)) for k, v in a.items())
    p, r = common / sum(a.values()), common / sum(b.values())
    return 0.0 if not common else 2 * p * r / (p + r)


def body_text(essay_md: str) -> str:
    import yaml

    _, front, body = essay_md.split("---\n", 2)
    body = re.sub(r"<!--.*?-->", " ", body, flags=re.S)
    body = re.sub(r"\]\([^)]*\)(\{[^}]*\})?", "]", body)
    return body, yaml.safe_load(front)


def html_text(path: Path) -> str:
    from lxml import html

    return html.fromstring(path.read_text(encoding="utf-8")).text_content()


def headline_agrees(ours: str, theirs: str) -> bool:
    """Readability's title, or its title without the site's name after (or before) a separator."""
    if ours == theirs:
        return True
    if ours and theirs.startswith(ours):
        return re.fullmatch(r"\s*[|\-–—·:»/\[(_].{0,60}", theirs[len(ours):]) is not None
    if ours and theirs.endswith(ours):
        return re.fullmatch(r".{0,60}[|\-–—·:»/\])_]\s*", theirs[: -len(ours)]) is not None
    return False


def agreement(front: dict, expected: dict) -> dict[str, bool | None]:
    ours, theirs = norm(front.get("title")), norm(expected.get("title"))
    title = ours == theirs
    headline = headline_agrees(ours, theirs)
    byline = None
    if expected.get("byline"):
        authors = front.get("author")
        authors = " ".join(authors) if isinstance(authors, list) else (authors or "")
        ours, theirs = name_tokens(authors), name_tokens(expected["byline"])
        byline = bool(ours) and (ours <= theirs or theirs <= ours)
    date = None
    if expected.get("publishedTime"):
        date = str(front.get("date") or "") == expected["publishedTime"][:10]
    lang = None
    if expected.get("lang"):
        theirs_lang = expected["lang"].replace("_", "-").split("-")[0].lower()
        lang = (front.get("lang") or "").split("-")[0].lower() == theirs_lang
    return {"title": title, "headline": headline, "byline": byline, "date": date, "lang": lang}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*")
    ap.add_argument("--no-epub", action="store_true")
    ap.add_argument("--show", action="store_true", help="print each page's disagreements")
    args = ap.parse_args()
    pages = sorted(p for p in CORPUS.iterdir() if (p / "source.html").is_file())
    if args.names:
        pages = [p for p in pages if p.name in args.names]
    tmp = Path(tempfile.mkdtemp(prefix="essaybook-import-corpus-"))
    results, failures, scores = {}, [], []
    start = time.perf_counter()
    for page in pages:
        outcome = next(import_sources([str(page / "source.html")], tmp / page.name, force=True))
        if outcome.error:
            failures.append(outcome.error)
            continue
        body, front = body_text((tmp / page.name / "essay.md").read_text(encoding="utf-8"))
        expected = json.loads((page / "expected-metadata.json").read_text(encoding="utf-8"))
        results[page.name] = agreement(front, expected)
        score = f1(body, html_text(page / "expected.html"))
        scores.append(score)
        if args.show:
            bad = [k for k, v in results[page.name].items() if v is False and k != "headline"]
            if bad or score < 0.9:
                print(f"{page.name}: F1 {score:.2f}; " + "; ".join(
                    f"{k}: ours {front.get({'byline': 'author'}.get(k, k))!r} expected "
                    f"{expected.get({'date': 'publishedTime'}.get(k, k))!r}" for k in bad))
    import_seconds = time.perf_counter() - start
    print(f"imported {len(results)}/{len(pages)} pages in {import_seconds:.1f} s "
          f"({import_seconds / max(1, len(pages)):.3f} s per page)")
    for failure in failures:
        print(f"  failed: {failure}")
    for key in ("title", "headline", "byline", "date", "lang"):
        judged = [v[key] for v in results.values() if v[key] is not None]
        if judged:
            print(f"{key:7} agreement {sum(judged)}/{len(judged)} = {sum(judged) / len(judged):.1%}")
    if scores:
        print(f"text F1 against Readability's output: mean {sum(scores) / len(scores):.3f}, "
              f"median {sorted(scores)[len(scores) // 2]:.3f}, below 0.8: {sum(s < 0.8 for s in scores)}")
    if args.no_epub:
        return 0
    start = time.perf_counter()
    epubs = []
    for name in results:
        out = tmp / f"{name}.epub"
        if run(["epub", str(tmp / name), "-o", str(out), "-q", "--no-page-list"]) == 0:
            epubs.append(out)
        else:
            print(f"  build failed: {name}")
    build_seconds = time.perf_counter() - start
    reports = validate.epubcheck(epubs)
    check_seconds = time.perf_counter() - start - build_seconds
    bad = {p: f for p, f in reports.items() if f}
    print(f"built {len(epubs)} EPUBs in {build_seconds:.1f} s; EPUBCheck {check_seconds:.1f} s; "
          f"clean {len(epubs) - len(bad)}/{len(epubs)}")
    for path, findings in bad.items():
        print(f"  {path.name}: " + "; ".join(str(f) for f in findings[:3]))
    total = import_seconds + build_seconds
    print(f"seconds per page: import {import_seconds / max(1, len(pages)):.3f}, import + EPUB "
          f"{total / max(1, len(pages)):.3f} (+ {check_seconds / max(1, len(pages)):.3f} EPUBCheck)")
    return 0 if not failures and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
