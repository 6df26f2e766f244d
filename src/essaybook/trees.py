"""Small moves on lxml trees that the parse and the print renderer both make."""

from __future__ import annotations

from lxml import etree


def remove_keeping_tail(el: etree._Element, *, strip: bool = False) -> None:
    """Remove ``el`` but keep the text that follows it (its tail) in place; ``strip``: without its leading
    whitespace. An element already out of its tree is left as it is."""
    parent, tail = el.getparent(), el.tail or ""
    if parent is None:
        return
    if strip:
        tail = tail.lstrip()
    prev = el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + tail or None
    else:
        parent.text = (parent.text or "") + tail or None
    parent.remove(el)
