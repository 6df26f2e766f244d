"""What the parse skips to be quick changes nothing it makes: the quicker inline passes (mdext.inline_speed) give
what Python-Markdown's own give, for every construct the dialect reads, and smarty's shortcut turns itself off
when smarty has a pattern it does not know; the emoji index is loaded only for an essay with a shortcode."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown.extensions.smarty import SubstituteTextPattern

from essaybook import dialect
from essaybook.mdext import inline_speed

FIXTURES = Path(__file__).parent / "fixtures"

SMART = [
    "He said, \"'Quoted' words in a larger quote.\"",
    "'Tis the season; the '80s; rock 'n' roll; the boys' toys.",
    "Wait -- no --- stop... now...... and ---- here. <<angled>>",
    '"Hello," she said. "It\'s *"emphasised"* and [a \'link\'](x.html)."',
    "Plain words with no marks at all, then `code with 'quotes' -- inside` and more plain words.",
    "A note.[^1] And \"a quote after it\".\n\n[^1]: The note's own 'quotes' -- and dashes...",
    "> A quotation with 'single' and \"double\" marks.\n\n- a list item -- with a dash\n- and 'another'",
    "| 'a' | \"b\" |\n|---|---|\n| c -- d | e... |",
]


def _stock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inline_speed, "install", lambda md: None)


@pytest.mark.parametrize("text", SMART)
def test_same_as_python_markdown(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    quick = dialect.make_markdown().convert(text)
    _stock(monkeypatch)
    assert dialect.make_markdown().convert(text) == quick


def test_same_for_every_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.md"))]
    assert len(texts) >= 3
    quick = [dialect.make_markdown().convert(t) for t in texts]
    _stock(monkeypatch)
    assert [dialect.make_markdown().convert(t) for t in texts] == quick


def test_both_passes_are_the_quick_ones() -> None:
    md = dialect.make_markdown()
    assert type(md.treeprocessors["inline"]) is inline_speed.QuickInline
    assert md.treeprocessors["smarty"].needs is not None  # the shortcut is on for smarty's own patterns
    md.convert("It's 'here' -- now...")
    assert isinstance(md.treeprocessors["inline"].inlinePatterns, type(md.inlinePatterns))  # the Registry, back


def test_an_unknown_smarty_pattern_turns_the_shortcut_off() -> None:
    """A pattern that matches without a quote or a dash (here: the letters "(c)") must still see every run."""
    md = dialect.make_markdown()
    smarty = md.treeprocessors["smarty"]
    smarty.inlinePatterns.register(SubstituteTextPattern(r"\(c\)", ("\u00a9",), md), "copyright", 1)
    inline_speed.install(md)
    assert md.treeprocessors["smarty"].needs is None
    assert "\u00a9" in md.convert("Plain words (c) 2026")


def test_the_needs_cover_every_smarty_pattern() -> None:
    """Every pattern smarty registers needs one of the characters the shortcut looks for: a text that has
    none of them is matched by none of the patterns."""
    md = dialect.make_markdown()
    patterns = list(md.treeprocessors["smarty"].inlinePatterns)
    assert patterns and all(p.pattern in inline_speed._SMARTY_PATTERNS for p in patterns)
    bare = "Plain words, some punctuation: (parens); a hyphen-ated word! A question? A dot. Digits 1980s"
    assert inline_speed._SMARTY_NEEDS.search(bare) is None
    assert not any(re.search(p, bare) for p in inline_speed._SMARTY_PATTERNS)


def test_the_emoji_index_is_loaded_only_for_a_shortcode(tmp_path: Path) -> None:
    """The gemoji index costs 90 ms: a table's centred column (``|:---:|``) or a grid table's (``+:===:+``) does
    not load it; ``:tada:`` and ``:+1:`` do."""
    from essaybook.source import load_source

    def loads(body: str) -> bool:
        path = tmp_path / "essay.md"
        path.write_text(f"---\ntitle: T\n---\n\n{body}\n", encoding="utf-8")
        return "emoji" in dialect.make_markdown(load_source(path)).inlinePatterns

    assert not loads("| a | b |\n|:---:|---:|\n| c | d |\n\n+:===:+\n")
    assert loads("A party :tada:") and loads("Agreed :+1:")
