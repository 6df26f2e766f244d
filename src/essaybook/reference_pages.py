"""A page that prints another page's number is laid out once, not again when the number is known.

print.css prints each internal link's target page ("(p. 14)", ``target-counter``) and a contents list its
entries' pages. WeasyPrint lays each page out before it knows where the targets fall (it shows 0 for an
unknown page), then makes again, in a second pass, every page whose numbers changed: on pandoc's manual 60
of 131 pages, a fifth of its layout time. Two moves spare most of those pages:

1. **A good guess first.** Before each page of the first pass is made, every reference still to be laid out
   shows its target's page if that page is already made, or else an estimate: how far into the text the target
   is, over how much text the pages made so far held. Only the estimate's number of digits has to be right.
2. **Only the glyphs change.** After a pass, a page whose only changes are numbers that take exactly the width
   they were laid out with (digits for digits, measured by Pango, so tabular or not) keeps its layout: the text
   boxes take the new digits, and the page is not made again. Any other page is made again, as WeasyPrint would
   (a number with one more digit, a reference broken across two pages, a stylesheet with running elements).

A wrong guess therefore costs what WeasyPrint's own bookkeeping costs; a right one saves a page make. The pages
and bytes are WeasyPrint's own (``tests/test_architecture.py`` lays a book out with and without this and
compares them). Installed by ``essaybook.weasy``; left alone if WeasyPrint's layout no longer has the shape
this was written against.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# Characters per page assumed before the first page is made (about an A4 page of prose at 11 pt); after it,
# the pages made so far say how much text a page holds.
_FIRST_GUESS_CHARS = 2_400
_GUESS = "essaybook-guess"


def install() -> None:
    from weasyprint import layout
    from weasyprint.css import targets
    from weasyprint.formatting_structure import boxes
    from weasyprint.text import line_break

    original = getattr(layout, "make_all_pages", None)
    if original is None or getattr(original, "essaybook", False) or not (
            hasattr(boxes.Box, "missing_link") and hasattr(targets, "CounterLookupItem")
            and callable(getattr(line_break, "create_layout", None))
            and callable(getattr(line_break, "line_size", None)) and hasattr(line_break.Layout, "reactivate")):
        return

    def make_all_pages(context: Any, root_box: Any, html: Any, pages: list) -> list:
        guesses = _Guesses(context, root_box) if not pages and _has_page_references(context) else None
        made = []
        made_pages: Iterator = original(context, root_box, html, pages)
        while True:
            if guesses is not None:
                guesses.before_page(len(made))
            page = next(made_pages, None)
            if page is None:
                break
            made.append(page)
        if guesses is not None:
            guesses.withdraw_unplaced()
        _keep_pages_whose_numbers_fit(context, made)
        return made

    make_all_pages.essaybook = True
    make_all_pages.weasyprints = original
    layout.make_all_pages = make_all_pages


def estimate(made: int, ahead: int, per_page: float) -> int:
    """The page of a target ``ahead`` characters beyond the furthest element laid out on the ``made`` pages."""
    return made + 1 + max(0, int(ahead / per_page))


def _has_page_references(context: Any) -> bool:
    return any(token == "content" and item.missing_target_counters
               for (_, token), item in context.target_collector.counter_lookup_items.items())


def _shows_own_counters(box: Any) -> bool:
    try:
        return any(kind in ("counter()", "counters()") for kind, _ in box.style["content"])
    except (KeyError, TypeError, ValueError):
        return True


def _text(box: Any) -> str:
    from weasyprint.formatting_structure import boxes

    return "".join(b.text for b in box.descendants() if isinstance(b, boxes.TextBox))


class _Guesses:
    """The page each reference shows while its target is still to be laid out."""

    def __init__(self, context: Any, root_box: Any) -> None:
        from weasyprint.formatting_structure import boxes

        self.context = context
        self.collector = context.target_collector
        # The references by target, those whose content shows only target page numbers (a content that also
        # shows the citing page's own counter depends on where it lands, so it is left to WeasyPrint; its list
        # of missing counters cannot say, as WeasyPrint 70 fills it with the target's).
        self.citing: dict[str, list[Any]] = {}
        for (box, token), item in self.collector.counter_lookup_items.items():
            if token != "content" or _shows_own_counters(box):
                continue
            for anchor, counters in item.missing_target_counters.items():
                if anchor is not None and "page" in counters:
                    self.citing.setdefault(anchor, []).append(item)
        # How far into the text each element with an id starts, in characters.
        self.offset: dict[str, int] = {}
        chars, stack = 0, [root_box]
        while stack:
            box = stack.pop()
            if isinstance(box, boxes.TextBox):
                chars += len(box.text)
            element = getattr(box, "element", None)
            if element is not None:
                name = element.get("id")
                if name and name not in self.offset:
                    self.offset[name] = chars
            children = getattr(box, "children", None)
            if children:
                stack.extend(reversed(children))
        self.unplaced = dict.fromkeys(self.citing)  # the targets some reference to which is still to be laid out
        self.shown: dict[str, int | str] = {}  # what each target's references show: a guess, or "known"
        self.reached = 0  # the furthest offset of an element laid out so far

    def before_page(self, made: int) -> None:
        page_maker = self.context.page_maker
        if made:
            for anchor in page_maker[made - 1][-1].get("anchors", ()):
                self.reached = max(self.reached, self.offset.get(anchor, 0))
        per_page = self.reached / made if made and self.reached >= _FIRST_GUESS_CHARS else _FIRST_GUESS_CHARS
        for anchor in list(self.unplaced):
            target = self.collector.target_lookup_items.get(anchor)
            if target is None or target.state != "up-to-date":
                del self.unplaced[anchor]
                continue
            waiting = [item for item in self.citing[anchor] if item.page_maker_index is None]
            if not waiting:  # every reference to it laid out: nothing left to guess for, on any later page
                del self.unplaced[anchor]
                continue
            if target.page_maker_index is not None:  # laid out: its real number, before the citing page is made
                if self.shown.get(anchor) != "known":
                    self.shown[anchor] = "known"
                    for item in waiting:
                        item.parse_again(None)
                continue
            offset = self.offset.get(anchor)
            if offset is None:
                continue
            guess = estimate(made, offset - self.reached, per_page)
            if len(str(guess)) != len(str(self.shown.get(anchor, ""))):
                self.shown[anchor] = guess
                # Marked as a guess, so that it never equals the real values: when the target is laid out,
                # WeasyPrint then tells every reference laid out so far (some with an older guess).
                target.cached_page_counter_values = {"page": [guess], _GUESS: [guess]}
                for item in waiting:
                    item.parse_again(None)

    def withdraw_unplaced(self) -> None:
        """A target never laid out (its element took no page) shows 0 again, as WeasyPrint has it, and the pages
        citing it are made again."""
        for anchor, shown in self.shown.items():
            target = self.collector.target_lookup_items[anchor]
            if shown == "known" or target.page_maker_index is not None:
                continue
            target.cached_page_counter_values = {}
            for item in self.citing[anchor]:
                item.parse_again(None)
                if item.page_maker_index is not None:
                    self.context.page_maker[item.page_maker_index][-1]["content_changed"] = True


def _keep_pages_whose_numbers_fit(context: Any, pages: list) -> None:
    """Pages due to be made again only for new numbers of the same widths take the new digits instead."""
    page_maker = context.page_maker
    due = [i for i, _ in enumerate(pages) if i < len(page_maker) and page_maker[i][-1]["content_changed"]]
    if not due or any(context.running_elements.values()):
        return
    # Each generated content laid out, by the box it came from: its pieces, and the pages they are on.
    pieces: dict[int, tuple[Any, list[Any], set[int]]] = {}
    for index, page in enumerate(pages):
        for box in page.descendants(placeholders=True):
            source = box.missing_link
            if source is not None:
                entry = pieces.setdefault(id(source), (source, [], set()))
                entry[1].append(box)
                entry[2].add(index)
    by_page: dict[int, list[tuple[Any, list[Any], set[int]]]] = {}
    for entry in pieces.values():
        for index in entry[2]:
            by_page.setdefault(index, []).append(entry)
    for index in due:
        edits, contents = [], by_page.get(index)
        if not contents:  # made again for some other reason
            continue
        for source, laid_out, on_pages in contents:
            edit = _same_width_digits(context, source, laid_out) if on_pages == {index} else None
            if edit is None:
                break
            edits.extend(edit)
        else:
            for text_box, text in edits:
                text_box.text = text
                text_box.pango_layout.text = text
            page_maker[index][-1]["content_changed"] = False


def _same_width_digits(context: Any, source: Any, laid_out: list) -> list[tuple[Any, str]] | None:
    """The text boxes to give new text, if the content's final text differs from the laid-out one only in digits
    and every piece keeps its width; an empty list if nothing changed; None if the page must be made again.

    Only a content showing nothing but its targets' pages, every target laid out, is final now: it is read
    again here from those targets (a content that also shows its own page's counter is left to WeasyPrint,
    which learns that one only by making the page again)."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.line_break import create_layout, line_size

    collector = context.target_collector
    item = collector.counter_lookup_items.get((source, "content"))
    if item is None or _shows_own_counters(source) or not item.missing_target_counters:
        return None
    for anchor in item.missing_target_counters:
        target = collector.target_lookup_items.get(anchor)
        if target is None or target.page_maker_index is None:
            return None
    item.parse_again(None)
    text_boxes = [b for piece in laid_out for b in piece.descendants() if isinstance(b, boxes.TextBox)]
    old, new = "".join(b.text for b in text_boxes), _text(source)
    if old == new:
        return []
    if len(old) != len(new) or not all(a == b or (a.isdecimal() and b.isdecimal())
                                       for a, b in zip(old, new, strict=True)):
        return None
    edits, start = [], 0
    for text_box in text_boxes:
        before = text_box.text
        after = new[start:start + len(before)]
        start += len(before)
        if after == before:
            continue
        widths = []
        for text in (before, after):
            probe = create_layout(text, text_box.style, context, None, text_box.justification_spacing)
            widths.append(line_size(probe.get_first_line()[0], text_box.style)[0])
        if widths[0] != widths[1]:
            return None
        edits.append((text_box, after))
    return edits
