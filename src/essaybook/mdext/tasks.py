"""Task lists (``- [ ] to do``, ``- [x] done``: GitHub, Obsidian, Hugo) as ballot-box characters.

pymdown-extensions' tasklist writes ``<input type="checkbox">``; EPUB reading systems may not show form
controls and the sanitiser removes them, so the box is a character (☐ or ☑) with its state spelled out for
screen readers.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

_BOX = re.compile(r"^\s*\[([ xX])\]\s+")


class TaskListProcessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for ul in root.iter():
            if ul.tag not in ("ul", "ol"):
                continue
            found = False
            for li in ul:
                holder = li[0] if len(li) and li[0].tag == "p" and not (li.text or "").strip() else li
                m = _BOX.match(holder.text or "")
                if li.tag != "li" or not m:
                    continue
                found = True
                done = m.group(1) != " "
                holder.text = holder.text[m.end():]
                box = etree.Element("span", {"class": "task-box", "role": "img",
                                             "aria-label": "done" if done else "not done"})
                box.text = "\u2611" if done else "\u2610"
                box.tail = "\u00a0" + (holder.text or "")
                holder.text = None
                holder.insert(0, box)
                li.set("class", "task done" if done else "task")
            if found:
                ul.set("class", (ul.get("class", "") + " task-list").strip())


class TaskListExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(TaskListProcessor(md), "eb-task-list", 25)  # before inline (20)
