"""Posts as other tools write them (issue 12): front matter read in one pass, every problem at once, and the
Markdown constructs that report through the rule set. The rendering of each construct is in
fixtures/dialects.md; the seven whole posts are built and validated in test_books.py."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from essaybook import run
from essaybook.errors import SourceProblems
from essaybook.metadata import parse_metadata, read_metadata
from essaybook.parse import parse_document
from essaybook.source import find_essays, load_source, resolve_source, slug_for

MATHML = "http://www.w3.org/1998/Math/MathML"


def essay(folder: Path, text: str, name: str = "essay.md") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def front(tmp_path: Path, yaml_text: str, body: str = "Text.\n"):
    path = essay(tmp_path, f"---\n{yaml_text}---\n\n{body}")
    return read_metadata(load_source(path))


def found(diagnostics) -> list[tuple[int | None, str]]:
    return [(d.line, d.rule) for d in diagnostics]


# --- front matter ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "date"), [
    ("2023-04-05 23:30:00 -0500", "2023-04-05"),  # Jekyll: the author's evening, not the next UTC morning
    ('"2019-03-12T08:00:00+00:00"', "2019-03-12"),  # WordPress exporters
    ('"2021-06-01T21:15:00.000-08:00"', "2021-06-01"),  # Ghost
    ('"2021-06-01T09:00:00Z"', "2021-06-01"),
    ("2024-02-29T21:15:00-08:00", "2024-02-29"),  # PyYAML reads this one as a datetime
    ("2014-01-05", "2014-01-05"),
    ("July 17, 2006", "2006-07-17"),
])
def test_dates_as_the_authors_timezone_had_them(tmp_path: Path, written: str, date: str) -> None:
    meta, diagnostics = front(tmp_path, f"title: T\nlang: en\ndate: {written}\n")
    assert meta is not None and meta.date == date and not diagnostics


def test_a_jekyll_post_is_dated_by_its_file_name(tmp_path: Path) -> None:
    """``_posts/2021-08-09-kiln-notes.md`` with no ``date:``: the book carries the post's date, not the build's."""
    path = essay(tmp_path, "---\ntitle: Kiln\nlang: en\n---\n\nText.\n", name="2021-08-09-kiln-notes.md")
    meta, diagnostics = read_metadata(load_source(path))
    assert meta is not None and meta.date == "2021-08-09" and not diagnostics
    dated = essay(tmp_path / "dated", "---\ntitle: K\nlang: en\ndate: 2020-01-02\n---\n\nT.\n", name="2021-08-09-k.md")
    assert read_metadata(load_source(dated))[0].date == "2020-01-02"


def test_every_front_matter_problem_is_reported_at_once(tmp_path: Path) -> None:
    meta, diagnostics = front(tmp_path, "lang: en\nauthor: 12\npaper: b5\ndate: 2020-13-01\n"
                                        "paragraph_numbers: sometimes\nautor: X\n")
    assert meta is None
    assert found(diagnostics) == [(2, "title-missing"), (3, "front-matter-invalid"), (4, "front-matter-invalid"),
                                  (5, "front-matter-date"), (6, "front-matter-invalid"),
                                  (7, "front-matter-unknown-key")]
    with pytest.raises(SourceProblems) as raised:
        parse_metadata(load_source(tmp_path / "essay.md"))
    assert [d.rule for d in raised.value.diagnostics] == ["title-missing", "front-matter-invalid",
                                                          "front-matter-invalid", "front-matter-date",
                                                          "front-matter-invalid"]


def test_unknown_keys_one_line_each_and_suggestions_only_for_typos(tmp_path: Path) -> None:
    meta, diagnostics = front(tmp_path, "title: T\nlang: en\nautor: A\ntitel: B\nflavour: mint\n"
                                        "draft: false\nweight: 3\nlayout: post\npermalink: /x/\n")
    assert meta is not None
    assert [(d.line, d.col, d.message) for d in diagnostics] == [
        (4, 1, "unknown front matter key 'autor' ignored; did you mean 'author'?"),
        (5, 1, "unknown front matter key 'titel' ignored; did you mean 'title'?"),
        (6, 1, "unknown front matter key 'flavour' ignored"),
    ]


def test_yaml_11_booleans_are_read_as_the_text_meant(tmp_path: Path) -> None:
    meta, diagnostics = front(tmp_path, "title: Yes\nlang: no\nparagraph_numbers: no\n")
    assert meta is not None and (meta.title, meta.lang, meta.paragraph_numbers) == ("Yes", "no", False)
    coerced = [d for d in diagnostics if d.rule != "labels-fallback"]  # Norwegian has no labels of its own yet
    assert found(coerced) == [(2, "front-matter-coerced"), (3, "front-matter-coerced")]
    assert 'quote it to say so: lang: "no"' in coerced[1].message


def test_invalid_yaml_says_to_quote_a_title_holding_a_colon(tmp_path: Path) -> None:
    meta, diagnostics = front(tmp_path, "title: Rust: A Retrospective After Five Years\nlang: en\n")
    assert meta is None and found(diagnostics) == [(2, "source-unreadable")]
    assert diagnostics[0].message.endswith('put the title in quotes: title: "Rust: A Retrospective After Five Years"')


def test_hugo_toml_front_matter(tmp_path: Path) -> None:
    path = essay(tmp_path / "harbour", '+++\ntitle = "Harbour"\ndate = 2021-06-01T09:00:00Z\ntags = ["a", "b"]\n'
                                       'lang = "en"\nweight = 3\n[author]\nname = "T. L."\n+++\n\nText.\n',
                 "index.md")
    meta, diagnostics = read_metadata(load_source(path))
    assert meta is not None and not diagnostics
    assert (meta.title, meta.date, meta.subjects, meta.authors) == ("Harbour", "2021-06-01", ("a", "b"), ("T. L.",))
    bad = essay(tmp_path / "bad", '+++\ntitle = "Harbour"\nlang = en\n+++\n\nText.\n')
    meta, diagnostics = read_metadata(load_source(bad))
    assert meta is None and found(diagnostics) == [(3, "source-unreadable")]


def test_other_tools_keys_map_to_essaybooks(tmp_path: Path) -> None:
    Image.new("RGB", (600, 900), "navy").save(tmp_path / "cover.jpg")
    meta, diagnostics = front(tmp_path, "title: T\nlanguage: en_GB\ntags: [a]\ncategories: [b, a]\n"
                                        "custom_excerpt: Short.\nfeature_image: /content/images/2021/cover.jpg\n"
                                        "published_at: '2021-06-01T09:00:00.000Z'\nlastmod: 2021-07-01\n"
                                        "canonical_url: https://example.org/post/\n")
    assert meta is not None and not diagnostics
    assert (meta.lang, meta.subjects, meta.description, meta.cover, meta.date, meta.modified, meta.source_url) == \
        ("en-GB", ("a", "b"), "Short.", "cover.jpg", "2021-06-01", "2021-07-01", "https://example.org/post/")


def test_an_image_key_that_is_not_a_file_here_is_a_warning(tmp_path: Path) -> None:
    meta, diagnostics = front(tmp_path, "title: T\nlang: en\nimage: https://example.org/cover.jpg\n")
    assert meta is not None and meta.cover is None and found(diagnostics) == [(4, "front-matter-cover")]


def test_a_cover_or_an_image_named_by_the_site_is_the_file_of_that_name_here(tmp_path: Path) -> None:
    """WordPress, Ghost and Jekyll name images by where the site serves them, or by a full address: the file
    of that name inside the essay's folder (beside it or in a subfolder) is used, and the body's images say so."""
    (tmp_path / "images").mkdir()
    Image.new("RGB", (600, 900), "navy").save(tmp_path / "stall.jpg")
    Image.new("RGB", (600, 900), "teal").save(tmp_path / "images" / "kiln.png")
    for written, cover in (("https://example.files.wordpress.com/2018/06/stall.jpg", "stall.jpg"),
                           ("kiln.png", "images/kiln.png")):
        meta, diagnostics = front(tmp_path, f"title: T\nlang: en\nfeatured_image: {written}\n")
        assert meta is not None and meta.cover == cover and not diagnostics, written
    doc = parsed(tmp_path, "---\ntitle: T\nlang: en\n---\n\nText.\n\n![A kiln](/assets/img/kiln.png)\n\n"
                           "![A stall]({{ site.baseurl }}/wp-content/uploads/2018/06/stall.jpg)\n\n"
                           '<img src="__GHOST_URL__/content/images/2021/06/stall.jpg" alt="Ghost\'s">\n')
    assert sorted(a.href for a in doc.assets) == ["images/kiln.png", "stall.jpg"] and not [
        w for w in doc.warnings if w.severity == "error"]
    assert [(w.line, w.rule) for w in doc.warnings if w.rule == "image-site-path"] == [(8, "image-site-path")]


def test_draft_builds_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = essay(tmp_path, "---\ntitle: T\nlang: en\ndraft: true\n---\n\nText.\n")
    assert run(["epub", str(path), "-o", str(tmp_path / "x.epub"), "--no-page-list"]) == 0
    assert "marked as a draft ('draft'); it is built anyway" in capsys.readouterr().err


def test_author_objects_affiliation_in_the_title_block_email_and_orcid_not(tmp_path: Path) -> None:
    path = essay(tmp_path, "---\ntitle: T\nlang: en\nauthor:\n  - name: Mira Okafor\n    affiliation: University "
                           "of Lagos\n    orcid: 0000-0002-1825-0097\n    email: mira@example.org\n  - Jon Park\n"
                           "---\n\nText.\n")
    assert run(["epub", str(path), "-o", str(tmp_path / "x.epub"), "--no-page-list", "-q"]) == 0
    with zipfile.ZipFile(tmp_path / "x.epub") as z:
        page = z.read("EPUB/essay.xhtml").decode()
    assert '<p class="authors" data-running-author="Okafor and Park">Mira Okafor and Jon Park</p>' in page
    assert '<p class="affiliations">University of Lagos</p>' in page
    assert "mira@example.org" not in page and "0000-0002" not in page


def test_page_bundles_and_jekyll_names(tmp_path: Path) -> None:
    bundle = essay(tmp_path / "harbour-lights", "---\ntitle: T\n---\n\nText.\n", "index.md")
    jekyll = essay(tmp_path, "---\ntitle: T\n---\n\nText.\n", "2023-04-05-salt-roads.md")
    assert resolve_source(tmp_path / "harbour-lights") == bundle
    assert (slug_for(bundle), slug_for(jekyll)) == ("harbour-lights", "salt-roads")
    assert find_essays(tmp_path) == [bundle, jekyll]


def test_check_reports_the_same_front_matter_diagnostics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = essay(tmp_path, "---\ntitle: T\nlang: no\ndraft: true\nautor: X\n---\n\nText.\n")
    assert run(["check", str(path)]) == 0
    out = capsys.readouterr().out
    for rule in ("front-matter-coerced", "front-matter-draft", "front-matter-unknown-key"):
        assert f"[{rule}]" in out


# --- Markdown constructs that report -------------------------------------------------------------------------


def parsed(tmp_path: Path, text: str):
    source = load_source(essay(tmp_path, text))
    return parse_document(source, parse_metadata(source))


def test_the_template_tags_warning_is_at_the_first_tag_written(tmp_path: Path) -> None:
    """A tag in a link's address is rewritten first; the one warning is still at the first tag of the file."""
    doc = parsed(tmp_path, "---\ntitle: T\nlang: en\n---\n\nText.\n\n{% include toc.html %}\n\n"
                           "A [post]({% post_url 2010-07-21-name %}).\n")
    assert [(w.line, w.rule) for w in doc.warnings] == [(8, "template-tags")]


def test_template_tags_one_warning_per_file_naming_them(tmp_path: Path) -> None:
    doc = parsed(tmp_path, "---\ntitle: T\nlang: en\n---\n\nA {{ site.baseurl }} b.\n\n{% include x.html %}\n\n"
                           "C {{ site.baseurl }} {% include y.html %}.\n")
    [warning] = [w for w in doc.warnings if w.rule == "template-tags"]
    assert warning.line == 6 and "{{ site.baseurl }}, {% include %}" in warning.message
    assert "{" not in "".join(doc.body.itertext())


def test_math_is_mathml_in_its_namespace_with_alttext(tmp_path: Path) -> None:
    doc = parsed(tmp_path, "---\ntitle: T\nlang: en\n---\n\nInline $a^2$ and <math><mi>x</mi></math>.\n")
    maths = list(doc.body.iter(f"{{{MATHML}}}math"))
    assert [m.get("alttext") for m in maths] == ["a^2", None]
    assert all(etree.QName(child).namespace == MATHML for m in maths for child in m.iter())


def test_a_label_in_math_is_no_text_and_an_unknown_command_is_said(tmp_path: Path) -> None:
    doc = parsed(tmp_path, "---\ntitle: T\nlang: en\n---\n\n$$\nh = A \\cos t \\label{eq:tide}\n$$\n\n"
                           "A typo $\\alpah + \\beta$ here.\n")
    assert [m.get("alttext") for m in doc.body.iter(f"{{{MATHML}}}math")] == ["h = A \\cos t", "\\alpah + \\beta"]
    assert "label" not in "".join(doc.body.itertext())
    assert [(w.line, w.rule) for w in doc.warnings] == [(10, "math-invalid")]


def test_math_pages_are_declared_in_the_manifest(tmp_path: Path) -> None:
    path = essay(tmp_path, "---\ntitle: T\nlang: en\n---\n\nEnergy $E = mc^2$.\n")
    assert run(["epub", str(path), "-o", str(tmp_path / "x.epub"), "--no-page-list", "-q"]) == 0
    with zipfile.ZipFile(tmp_path / "x.epub") as z:
        opf = z.read("EPUB/content.opf").decode()
    assert 'href="essay.xhtml" media-type="application/xhtml+xml" properties="mathml"' in opf or \
        ('properties="mathml"' in opf and 'href="essay.xhtml"' in opf)


BIB = '[{"id": "okafor2019", "type": "book", "title": "Rivers of Salt", "author": [{"family": "Okafor", ' \
      '"given": "Mira"}], "issued": {"date-parts": [[2019]]}, "publisher": "Lagos University Press"}]'


def test_citations_and_references(tmp_path: Path) -> None:
    (tmp_path / "refs.json").write_text(BIB, encoding="utf-8")
    doc = parsed(tmp_path, "---\ntitle: T\nlang: en\nbibliography: refs.json\n---\n\nA claim [@okafor2019, p. 4].\n\n"
                           "Another [@nobody].\n")
    text = " ".join("".join(doc.body.itertext()).split())
    assert "A claim (Okafor 2019, 4)." in text and "Rivers of Salt" in text and "[@" not in text
    assert [(w.line, w.rule) for w in doc.warnings] == [(9, "citation-missing")]
    references = doc.body.find(".//{http://www.w3.org/1999/xhtml}section[@id='references']")
    assert references is not None and references.get("role") == "doc-bibliography"


def test_references_are_sorted_as_the_style_says(tmp_path: Path) -> None:
    """Chicago author-date sorts its references by author, whatever order the essay cites them in."""
    cited = (("o", "Ostrom"), ("h", "Hardin"), ("b", "Berkes"))
    entries = [{"id": key, "type": "book", "title": f"Book of {name}", "author": [{"family": name, "given": "A."}],
                "issued": {"date-parts": [[1990]]}} for key, name in cited]
    (tmp_path / "refs.json").write_text(json.dumps(entries), encoding="utf-8")
    doc = parsed(tmp_path, "---\ntitle: T\nlang: en\nbibliography: refs.json\n---\n\nOstrom [@o] answered "
                           "Hardin [@h] and Berkes [@b].\n")
    references = doc.body.find(".//{http://www.w3.org/1999/xhtml}section[@id='references']")
    assert [" ".join("".join(p.itertext()).split())[:6] for p in references.iter("{*}p")] == \
        ["Berkes", "Hardin", "Ostrom"]


def test_references_go_where_pandoc_puts_them_and_in_text_locators_read_as_pandocs(tmp_path: Path) -> None:
    """Under a last heading with nothing after it (its words, no second heading), or in a ``::: {#refs}``
    div; ``@key [pp. 88--102]`` is "Okafor (2019, 88–102)"."""
    (tmp_path / "refs.json").write_text(BIB, encoding="utf-8")
    front = "---\ntitle: T\nlang: en\nbibliography: refs.json\n---\n\n"
    doc = parsed(tmp_path, front + "As @okafor2019 [pp. 88--102] showed.\n\n# Works cited\n")
    text = " ".join("".join(doc.body.itertext()).split())
    assert "As Okafor (2019, 88–102) showed." in text and text.count("Works cited") == 1
    assert "References" not in text and text.index("Works cited") < text.index("Rivers of Salt")
    doc = parsed(tmp_path, front + "A claim [@okafor2019].\n\n# Bibliography\n\n::: {#refs}\n:::\n\n"
                                   "# Appendix\n\nLater.\n")
    text = " ".join("".join(doc.body.itertext()).split())
    assert text.index("Bibliography") < text.index("Rivers of Salt") < text.index("Appendix")
    assert "References" not in text


def test_citations_without_a_bibliography_are_one_warning(tmp_path: Path) -> None:
    """Unformatted, a citation still prints every word the author wrote beside the keys."""
    doc = parsed(tmp_path, "---\ntitle: T\nlang: en\n---\n\nA [@a] and [@b; @c, pp. 4–7].\n\n"
                           "Then [see @d; -@e, p. 3] and [@f, chap. 2 and elsewhere].\n")
    assert [(w.line, w.rule) for w in doc.warnings] == [(6, "bibliography-missing")]
    text = " ".join("".join(doc.body.itertext()).split())
    assert "A (a) and (b; c, pp. 4–7)." in text
    assert "Then (see d; e, p. 3) and (f, chap. 2 and elsewhere)." in text


def test_an_unclosed_comment_is_printed_and_said(tmp_path: Path) -> None:
    """Obsidian hides everything after an unclosed ``%%``; essaybook prints it, and says where it starts."""
    doc = parsed(tmp_path, "---\ntitle: T\nlang: en\n---\n\nThe flow:\n\n{{< mermaid >}}\nA-->B; %% a note\n"
                           "{{< /mermaid >}}\n\nThe rest of the essay is here.\n")
    assert (9, "comment-unclosed") in [(w.line, w.rule) for w in doc.warnings]
    assert "The rest of the essay is here." in "".join(doc.body.itertext())


def test_a_repeated_title_heading_is_not_printed_twice(tmp_path: Path) -> None:
    doc = parsed(tmp_path, "---\ntitle: \"Salt Roads: What the Caravans Carried\"\nlang: en\n---\n\n"
                           "# Salt Roads — What the Caravans Carried\n\nText.\n")
    assert "Caravans" not in "".join(doc.body.itertext())


def test_bibtex_in_text_and_suppressed_author_citations(tmp_path: Path) -> None:
    bib = "@book{okafor2019,\n  author = {Okafor, Mira},\n  title = {Rivers of Salt},\n  year = {2019}\n}\n"
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    doc = parsed(tmp_path, "---\ntitle: T\nlang: en\nbibliography: refs.bib\ncsl: missing.csl\n---\n\n"
                           "@okafor2019 says so, and [-@okafor2019] too.\n")
    text = " ".join("".join(doc.body.itertext()).split())
    assert text.startswith("Okafor (2019) says so, and (2019) too.") and "Rivers of Salt" in text
    assert [(w.line, w.rule) for w in doc.warnings] == [(5, "bibliography-missing")]


def test_a_grid_table_that_cannot_be_read_stays_text_with_a_warning_at_its_line(tmp_path: Path,
                                                                                capsys: pytest.CaptureFixture[str]
                                                                                ) -> None:
    """A cell whose '|' does not line up: docutils cannot read the grid, so every word is printed as written
    and the author is told where, by the build and by `essaybook check` alike."""
    text = ("---\ntitle: T\nlang: en\n---\n\nBefore.\n\n+------+------+\n| a    | b    |\n+======+======+\n"
            "| left | right  |\n+------+------+\n")
    doc = parsed(tmp_path, text)
    [warning] = [w for w in doc.warnings if w.rule == "table-malformed"]
    assert warning.line == 8 and "cannot be read" in warning.message
    assert doc.body.find(".//{http://www.w3.org/1999/xhtml}table") is None
    assert {"left", "right"} <= set("".join(doc.body.itertext()).split())
    assert run(["check", str(tmp_path / "essay.md")]) == 0
    assert "essay.md:8:0: warning: this grid table cannot be read (docutils: " in capsys.readouterr().out


def test_wordpress_shortcodes_are_named_in_one_warning(tmp_path: Path) -> None:
    """A media address is kept, a gallery left out: one template-tags warning names both, at the first."""
    doc = parsed(tmp_path, "---\ntitle: T\nlang: en\n---\n\nText.\n\n[embed]https://youtu.be/abc[/embed]\n\n"
                           "[gallery ids=\"1,2\"]\n")
    [warning] = [w for w in doc.warnings if w.rule == "template-tags"]
    assert warning.line == 8 and "[embed], [gallery]" in warning.message
    assert "https://youtu.be/abc" in "".join(doc.body.itertext()) and "[" not in "".join(doc.body.itertext())


def test_markup_for_other_formats_is_left_out_with_one_warning(tmp_path: Path) -> None:
    doc = parsed(tmp_path, "---\ntitle: T\nlang: en\n---\n\nText.\n\n```{=latex}\n\\newpage\n```\n\n"
                           "A `\\LaTeX`{=latex} word and `x`{=typst}.\n")
    [warning] = [w for w in doc.warnings if w.rule == "raw-format-dropped"]
    assert warning.line == 8 and "{=latex}, {=typst}" in warning.message
    assert "newpage" not in "".join(doc.body.itertext())


def test_an_embedded_block_is_that_block_alone(tmp_path: Path) -> None:
    """``![[Sources#^q1]]`` is the paragraph marked ``^q1`` (or the list before a line ``^l1``), not the note."""
    (tmp_path / "Sources.md").write_text("A quote from elsewhere. ^q1\n\n- one\n- two\n\n^l1\n\n## Section A\n\n"
                                         "Section A body.\n", encoding="utf-8")
    doc = parsed(tmp_path, "---\ntitle: T\nlang: en\n---\n\n![[Sources#^q1]]\n\n![[Sources#^l1]]\n\n"
                           "![[Sources#^nowhere]]\n")
    text = "".join(doc.body.itertext())
    assert text.count("A quote from elsewhere.") == 2 and text.count("two") == 2 and text.count("Section A body") == 1
    assert "^q1" not in text and "^l1" not in text
    [warning] = [w for w in doc.warnings if w.rule == "embed-unresolved"]
    assert warning.line == 10 and "no block '^nowhere'" in warning.message


def test_an_embedded_notes_section_is_that_section_and_a_missing_one_is_said(tmp_path: Path) -> None:
    (tmp_path / "Other.md").write_text("# Other\n\nIntro.\n\n## Section A\n\nText of A.\n\n### Sub of A\n\n"
                                       "Sub text.\n\n## Section B\n\nText of B.\n", encoding="utf-8")
    doc = parsed(tmp_path, "---\ntitle: T\nlang: en\n---\n\n![[Other#Section A]]\n\n![[Other#Nowhere]]\n")
    sections = "".join(doc.body.itertext())
    assert sections.count("Text of A.") == 2 and sections.count("Sub text.") == 2 and sections.count("Text of B.") == 1
    [warning] = [w for w in doc.warnings if w.rule == "embed-unresolved"]
    assert warning.line == 8 and "no heading 'Nowhere'" in warning.message


@pytest.mark.parametrize(("lang", "quoted"), [
    ("en", "“Ja”"), ("de", "„Ja“"), ("de-AT", "„Ja“"), ("fr", "«\u202fJa\u202f»"), ("ru", "«Ja»"),
    ("ja", "「Ja」"), ("zh-TW", "「Ja」"), ("sw", "“Ja”")])
def test_double_quotes_are_the_languages_and_apostrophes_stay(tmp_path: Path, lang: str, quoted: str) -> None:
    """A straight double quote becomes the book's language's quotation marks (CLDR's, by labels.json); a
    language essaybook has no table for keeps English marks; the apostrophe is ’ in all of them."""
    path = essay(tmp_path, f"---\ntitle: T\nlang: {lang}\n---\n\nEr sagte \"Ja\", geht's.\n")
    source = load_source(path)
    text = "".join(parse_document(source, parse_metadata(source)).body.itertext())
    assert f"Er sagte {quoted}, geht\u2019s." in text
