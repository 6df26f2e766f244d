"""MathML drawn as SVG for the print handout: WeasyPrint has no MathML, and ziamath draws it in pure Python
with its own STIX Two Math font, so equations print as vectors, at the text's size, on the text's baseline."""

from __future__ import annotations

from lxml import etree

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
SVG_NS = "http://www.w3.org/2000/svg"
XHTML_NS = "http://www.w3.org/1999/xhtml"
_SIZE = 20.0  # ziamath's size in px; the SVG is then scaled to em, so it follows the surrounding text
_SCALE = 1.12  # STIX Two Math is smaller on the body than Charis SIL at the same size


def math_to_svg(page: etree._ElementTree) -> None:
    """Replace each ``<math>`` of the page by an inline ``<svg role="img">`` labelled with its TeX or text."""
    for math in list(page.iter(f"{{{MATHML_NS}}}math")):
        svg = _svg(math)
        svg.tail = math.tail
        math.getparent().replace(math, svg)


def _svg(math: etree._Element) -> etree._Element:
    import ziamath

    ziamath.config.svg2 = False  # glyphs as paths in each drawing: no <symbol> ids repeated across the page
    block = math.get("display") == "block"
    label = math.get("alttext") or " ".join("".join(math.itertext()).split())
    source = etree.tostring(math, encoding="unicode", with_tail=False)
    try:
        drawing = ziamath.Math(source, size=_SIZE)
        width, height = drawing.getsize()
        svg = etree.fromstring(drawing.svg().encode())
    except Exception:  # ziamath fails on MathML it does not know: its TeX (or text) is printed instead
        span = etree.Element(f"{{{XHTML_NS}}}code", {"class": "math-tex"})
        span.text = label
        return span
    # Baseline: the SVG's viewBox puts y = 0 on it; what lies below is the descent.
    vb = [float(v) for v in svg.get("viewBox", "0 0 0 0").split()]
    descent = vb[1] + vb[3] if len(vb) == 4 else 0.0
    svg.set("width", f"{width / _SIZE * _SCALE:.3f}em")
    svg.set("height", f"{height / _SIZE * _SCALE:.3f}em")
    svg.set("role", "img")
    svg.set("aria-label", label)
    svg.set("class", "math-svg math-block" if block else "math-svg")
    if not block:
        svg.set("style", f"vertical-align: {-descent / _SIZE * _SCALE:.3f}em")
    title = etree.Element(f"{{{SVG_NS}}}title")
    title.text = label
    svg.insert(0, title)
    return svg
