"""Accessibility metadata derived from what the book actually contains (EPUB Accessibility 1.1).

Each claim is made only when it is true of this book: ``alternativeText`` only when every image has alt text,
the page features only when the book carries a page list, and the summary says what a reader will find.
"""

from __future__ import annotations

from essaybook.model import Document

CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
CERTIFIER = "essaybook (automated checks: EPUBCheck, Ace by DAISY)"


def accessibility_properties(doc: Document, *, page_list_source: str | None = None) -> list[tuple[str, str]]:
    """``(property, value)`` pairs for the OPF's ``<meta>`` elements, in a stable order."""
    images = doc.images
    all_alt = all((img.get("alt") or "").strip() for img in images)
    tables = doc.body.findall(".//{*}table")
    has_tables = bool(tables) and all(t.find(".//{*}th") is not None for t in tables)
    has_notes = doc.body.find(".//{*}aside") is not None

    modes = ["textual"] + (["visual"] if images else [])
    props: list[tuple[str, str]] = [("schema:accessMode", m) for m in modes]
    if not images or all_alt:
        props.append(("schema:accessModeSufficient", "textual"))
    if images:
        props.append(("schema:accessModeSufficient", "textual,visual"))
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability", "ARIA"]
    if images and all_alt:
        features.append("alternativeText")
    if page_list_source:
        features += ["pageBreakMarkers", "pageNavigation"]
    maths = list(doc.body.iter("{http://www.w3.org/1998/Math/MathML}math"))
    if maths:  # TeX from the source stays with each formula as its alttext
        features += ["MathML"] + (["describedMath"] if all(m.get("alttext") for m in maths) else [])
    props += [("schema:accessibilityFeature", f) for f in features]
    props.append(("schema:accessibilityHazard", "none"))
    props.append(("schema:accessibilitySummary", _summary(len(images), all_alt, has_tables, has_notes,
                                                          page_list_source)))
    return props


def _summary(images: int, all_alt: bool, tables: bool, notes: bool, page_source: str | None) -> str:
    parts = ["This essay is fully readable as text, in the reading order of the original, with a table of "
             "contents and headings for navigation."]
    if images:
        figure = "figure" if images == 1 else f"{images} figures"
        parts.append(f"The {figure} {'has' if images == 1 else 'have'} alternative text and a visible caption."
                     if all_alt else f"Not every one of the {figure} has alternative text.")
    if tables:
        parts.append("Tables have header cells.")
    if notes:
        parts.append("Footnotes are linked both ways and open as pop-ups where the reader supports it.")
    if page_source:
        parts.append(f"Page numbers match the print handout ({page_source}).")
    parts.append("Text and layout adapt to the reader's font, size and colour settings; there are no "
                 "flashing, sound or motion hazards.")
    return " ".join(parts)
