"""The few words essaybook itself puts into a book, in the book's language.

A Korean essay should not say "Contents" or "First published at": the labels follow the primary language
subtag of the essay's ``lang`` and fall back to English.
"""

from __future__ import annotations

import datetime as dt

_LABELS: dict[str, dict[str, str]] = {
    "en": {"contents": "Contents", "landmarks": "Landmarks", "pages": "Pages", "cover": "Cover",
           "footnotes": "Footnotes", "notes": "Notes", "published_before": "First published at ",
           "published_after": ".", "qr_note": "Scan to read the original online and join the discussion.",
           "qr_alt": "QR code linking to {url}", "cover_of": "Cover of {title}", "and": "and",
           "edited_by": "Edited by {names}", "permissions": "Permissions", "title_page": "Title page",
           "no_rights": "No rights statement was given for this essay; ask the rights holder before copying it."},
    "ko": {"contents": "목차", "landmarks": "주요 위치", "pages": "쪽", "cover": "표지", "footnotes": "각주",
           "notes": "메모", "published_before": "원문: ", "published_after": "",
           "qr_note": "QR 코드를 스캔하면 온라인 원문과 토론으로 이어집니다.", "qr_alt": "{url}(으)로 연결되는 QR 코드",
           "cover_of": "『{title}』 표지", "and": "·"},
    "zh": {"contents": "目录", "landmarks": "地标", "pages": "页码", "cover": "封面", "footnotes": "脚注",
           "notes": "笔记", "published_before": "原文：", "published_after": "",
           "qr_note": "扫描二维码阅读网上原文并参与讨论。", "qr_alt": "指向 {url} 的二维码",
           "cover_of": "《{title}》封面", "and": "、"},
    "ja": {"contents": "目次", "landmarks": "ランドマーク", "pages": "ページ", "cover": "表紙", "footnotes": "脚注",
           "notes": "メモ", "published_before": "初出：", "published_after": "",
           "qr_note": "QRコードから原文と議論のページへ。", "qr_alt": "{url} へのQRコード",
           "cover_of": "『{title}』の表紙", "and": "・"},
}
_CJK_DATES = {"ko": "{y}년 {m}월 {d}일", "zh": "{y}年{m}月{d}日", "ja": "{y}年{m}月{d}日"}
_CJK_MONTHS = {"ko": "{y}년 {m}월", "zh": "{y}年{m}月", "ja": "{y}年{m}月"}


def _primary(lang: str) -> str:
    return lang.split("-")[0].lower()


def label(lang: str, key: str, **values: str) -> str:
    table = _LABELS.get(_primary(lang), _LABELS["en"])
    return table.get(key, _LABELS["en"][key]).format(**values)


def join_names(names: tuple[str, ...] | list[str], lang: str) -> str:
    word = label(lang, "and")
    if word != "and":
        return word.join(names) if word in "·、・" else f" {word} ".join(names)
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def human_date(value: str, lang: str) -> str:
    """``2014-01-05`` as a reader of the book's language writes it; ISO where no form is known."""
    parts = [int(p) for p in value.split("-")]
    primary = _primary(lang)
    if primary in _CJK_DATES:
        if len(parts) == 3:
            return _CJK_DATES[primary].format(y=parts[0], m=parts[1], d=parts[2])
        if len(parts) == 2:
            return _CJK_MONTHS[primary].format(y=parts[0], m=parts[1])
        return f"{parts[0]}"
    if primary == "en":
        if len(parts) == 3:
            d = dt.date(*parts)
            return f"{d.day} {d:%B %Y}"
        if len(parts) == 2:
            return f"{dt.date(parts[0], parts[1], 1):%B %Y}"
    return value
