"""The names of elements HTML, SVG and MathML define: a ``<`` followed by any other name is text the author
wrote (``Vec<T>``, ``the Yalu <River>``), not a tag, and must print as written rather than vanish as unknown
markup."""

from __future__ import annotations

import re


def _names(text: str) -> set[str]:
    return set(text.split())


HTML = _names("""
a abbr acronym address applet area article aside audio b base basefont bdi bdo big blink blockquote body br
button canvas caption center cite code col colgroup data datalist dd del details dfn dialog dir div dl dt em
embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i
iframe img input ins isindex kbd keygen label legend li link listing main map mark marquee menu menuitem meta
meter nav nobr noembed noframes noscript object ol optgroup option output p param picture plaintext portal pre
progress q rb rp rt rtc ruby s samp script search section select slot small source spacer span strike strong
style sub summary sup table tbody td template textarea tfoot th thead time title tr track tt u ul var video wbr
xmp image math svg
""")
SVG = _names("""
a animate animateMotion animateTransform circle clipPath defs desc ellipse feBlend feColorMatrix
feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting feDisplacementMap feDistantLight
feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR feGaussianBlur feImage feMerge feMergeNode feMorphology
feOffset fePointLight feSpecularLighting feSpotLight feTile feTurbulence filter foreignObject g image line
linearGradient marker mask metadata mpath path pattern polygon polyline radialGradient rect set stop switch
symbol text textPath tspan use view
""")
MATHML = _names("""
annotation annotation-xml maction math menclose merror mfenced mfrac mi mmultiscripts mn mo mover mpadded
mphantom mprescripts mroot mrow ms mspace msqrt mstyle msub msubsup msup mtable mtd mtext mtr munder munderover
none semantics
""")
KNOWN = {n.lower() for n in HTML | SVG | MATHML}

_OPENING = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])")


def escape_unknown_tags(text: str, code_mask: str) -> str:
    """``text`` with each ``<`` that opens no known element written as ``&lt;`` (outside code, where the mask
    keeps the characters; ``code_mask`` is ``text`` with code blanked, the same length)."""
    out, last = [], 0
    for m in _OPENING.finditer(code_mask):
        if m.group(2).lower() in KNOWN:
            continue
        out.append(text[last:m.start()])
        out.append("&lt;")
        last = m.start() + 1
    out.append(text[last:])
    return "".join(out)
