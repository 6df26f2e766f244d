#!/usr/bin/env python3
"""Draw a schematic map of the China–North Korea border (Yalu and Tumen rivers).

Writes ``border-map.svg`` next to this script.  Needs only the standard
library and lxml; from the repository root run, for example,
``.venv/bin/python content/chinas-costly-inaction/images/make_border_map.py``.
The output is deterministic: the same bytes on every run.

All coordinates below are (longitude E, latitude N) in degrees.  They are
APPROXIMATE, hand-digitised from general geographic knowledge, and only
good enough for a schematic map at this scale.  They are NOT survey data:
do not use this map, or these numbers, for navigation or to settle where
any border runs.

The projection is a plain equirectangular one: x is longitude scaled by
cos(latitude) at the centre of the map, y is latitude.  At this scale
(about 1.5 SVG units per km) the distortion is a few per cent at most.
"""

import math
from pathlib import Path

from lxml import etree
from lxml.builder import ElementMaker

# --------------------------------------------------------------------------
# Data: approximate (lon, lat) points, hand-digitised, schematic only.
# --------------------------------------------------------------------------

MOUNT_PAEKTU = (128.06, 42.00)
YALU_MOUTH = (124.25, 39.85)
TUMEN_MOUTH = (130.70, 42.29)
TRIPOINT_CN_KP_RU = (130.63, 42.42)  # where China's border leaves the Tumen
MDL_WEST = (126.62, 37.77)           # inter-Korean line meets the Han estuary
MDL_EAST = (128.37, 38.62)           # ... and the east coast

# Yalu (Amnok) River, from Mount Paektu down to its mouth at Korea Bay.
YALU = [
    MOUNT_PAEKTU, (128.08, 41.85), (128.12, 41.65), (128.15, 41.50),
    (128.19, 41.40),                       # Hyesan / Changbai
    (128.00, 41.42), (127.80, 41.45), (127.55, 41.55), (127.30, 41.65),
    (127.10, 41.75), (126.90, 41.79),      # Junggang / Linjiang
    (126.75, 41.68), (126.55, 41.45), (126.35, 41.22),
    (126.20, 41.12),                       # Manpo / Ji'an
    (126.05, 41.05), (125.95, 40.93), (125.80, 40.88), (125.68, 40.78),
    (125.55, 40.74), (125.40, 40.66), (125.28, 40.62), (125.15, 40.52),
    (125.02, 40.49), (124.90, 40.42),      # Supung dam
    (124.78, 40.36), (124.70, 40.26), (124.58, 40.20), (124.50, 40.15),
    (124.40, 40.10),                       # Sinuiju / Dandong
    (124.36, 40.02), (124.32, 39.95), YALU_MOUTH,
]

# Tumen River, from Mount Paektu down to the Sea of Japan.
TUMEN = [
    MOUNT_PAEKTU, (128.30, 42.05), (128.55, 42.02), (128.80, 42.08),
    (129.00, 42.18), (129.22, 42.23),      # Musan
    (129.40, 42.22), (129.55, 42.30),
    (129.75, 42.44),                       # Hoeryong
    (129.70, 42.52), (129.72, 42.60), (129.80, 42.68), (129.76, 42.78),
    (129.82, 42.88), (129.85, 42.95),      # Namyang / Tumen city
    (129.93, 42.99), (130.00, 42.97),      # Onsong, the northern bend
    (130.08, 42.90), (130.12, 42.85), (130.25, 42.70), (130.38, 42.60), (130.52, 42.50),
    TRIPOINT_CN_KP_RU, (130.68, 42.35), TUMEN_MOUTH,
]

# China–Russia land border, from the Tumen northwards (off the map).
BORDER_CN_RU = [
    TRIPOINT_CN_KP_RU, (130.58, 42.55), (130.62, 42.70), (130.72, 42.85),
    (130.85, 42.95), (131.05, 43.05), (131.20, 43.25), (131.25, 43.45),
    (131.25, 44.00),
]

# Inter-Korean Military Demarcation Line (centre of the DMZ), west to east.
MDL = [
    MDL_WEST, (126.68, 37.95), (126.90, 38.05), (127.10, 38.20),
    (127.30, 38.30), (127.60, 38.30), (127.90, 38.32), (128.10, 38.32),
    (128.25, 38.45), MDL_EAST,
]

# Chinese coast of Korea Bay (Liaodong), from off the map east to the Yalu.
COAST_CHINA = [
    (121.80, 39.05), (122.35, 39.38), (122.75, 39.55), (123.05, 39.68),
    (123.40, 39.75), (123.75, 39.80), (124.05, 39.83), YALU_MOUTH,
]

# North Korean west coast, from the Yalu south to the Han estuary.
COAST_NK_WEST = [
    YALU_MOUTH, (124.45, 39.80), (124.62, 39.72), (124.65, 39.55),
    (124.78, 39.62), (124.95, 39.58), (125.10, 39.60), (125.30, 39.55),
    (125.48, 39.55), (125.42, 39.40), (125.30, 39.22), (125.25, 39.05),
    (125.30, 38.88), (125.22, 38.75),      # Taedong estuary, Nampo
    (125.05, 38.62), (124.95, 38.45), (124.80, 38.25),
    (124.68, 38.12),                       # Cape Changsan
    (124.90, 38.05), (125.10, 37.95), (125.30, 37.85), (125.50, 37.90),
    (125.70, 37.98),                       # Haeju
    (125.95, 37.85), (126.15, 37.78), (126.40, 37.78), MDL_WEST,
]

# North Korean east coast, from the inter-Korean line north to the Tumen.
COAST_NK_EAST = [
    MDL_EAST, (128.28, 38.75), (128.10, 38.88), (127.95, 38.98),
    (127.70, 39.10), (127.55, 39.17), (127.45, 39.15),   # Wonsan
    (127.40, 39.25), (127.35, 39.35), (127.45, 39.50), (127.50, 39.65),
    (127.60, 39.78),                       # Hungnam
    (127.85, 39.88), (128.15, 40.00), (128.45, 40.15), (128.75, 40.32),
    (128.95, 40.45), (129.20, 40.65),      # Kimchaek
    (129.50, 40.78), (129.75, 40.85), (129.72, 41.10), (129.66, 41.40),
    (129.75, 41.62), (129.82, 41.78),      # Chongjin
    (130.00, 41.92), (130.18, 42.10), (130.30, 42.22),   # Rajin
    (130.45, 42.30), (130.60, 42.27), TUMEN_MOUTH,
]

# South Korean coasts, from the inter-Korean line southwards (off the map).
COAST_SK_WEST = [
    MDL_WEST, (126.52, 37.68), (126.58, 37.55), (126.62, 37.45),
    (126.65, 37.30), (126.75, 36.90),
]
COAST_SK_EAST = [
    MDL_EAST, (128.52, 38.38), (128.60, 38.20), (128.75, 38.00),
    (128.90, 37.78), (129.05, 37.60), (129.20, 37.42), (129.35, 36.90),
]

# Russian coast, from the Tumen mouth north-east (off the map).
COAST_RUSSIA = [
    TUMEN_MOUTH, (130.77, 42.45), (130.82, 42.58), (130.92, 42.63),
    (131.05, 42.60), (131.18, 42.64), (131.35, 42.82), (131.45, 42.98),
    (131.60, 43.10), (131.78, 43.30), (131.88, 43.22), (131.90, 43.08),
    (131.95, 43.02), (132.10, 43.05), (132.40, 43.20), (132.60, 44.00),
]

# Towns: (name, lon, lat, kind, label placement)
# placement is the label's side of the dot: "right", "left", "above", ...
PLACES = [
    ("Pyongyang", 125.75, 39.02, "capital", "right"),
    ("Dandong", 124.36, 40.15, "town", "upleft"),
    ("Sinuiju", 124.45, 40.06, "town", "downright"),
]

# Free-standing labels: (text, lon, lat, style, rotation in degrees).
LABELS = [
    ("CHINA", 125.55, 42.55, "country", 0),
    ("NORTH KOREA", 127.05, 40.40, "country", 0),
    ("SOUTH KOREA", 127.85, 37.38, "country-tight", 0),
    ("RUSSIA", 131.15, 42.95, "country-small", -48),
    ("Yalu River", 125.55, 40.95, "river", -33),
    ("Tumen River", 128.95, 42.33, "river", -18),
    ("Sea of Japan", 130.60, 39.70, "sea", 0),
    ("(East Sea)", 130.60, 39.48, "sea-small", 0),
    ("Korea Bay", 123.80, 39.20, "sea", 0),
    ("Yellow Sea", 123.70, 38.25, "sea", 0),
    ("DMZ", 127.45, 38.43, "note", 0),
]

# --------------------------------------------------------------------------
# Map frame and projection
# --------------------------------------------------------------------------

WIDTH, HEIGHT = 1200, 1000                 # SVG user units, 6:5
LAT_MIN, LAT_MAX = 37.2, 43.4
LON_CENTRE = 127.4
LAT_CENTRE = (LAT_MIN + LAT_MAX) / 2
UNITS_PER_DEG = HEIGHT / (LAT_MAX - LAT_MIN)
COS_LAT = math.cos(math.radians(LAT_CENTRE))
KM_PER_DEG_LAT = 111.2
UNITS_PER_KM = UNITS_PER_DEG / KM_PER_DEG_LAT


def project(lon, lat):
    """Equirectangular projection, scaled by cos(latitude of the centre)."""
    x = WIDTH / 2 + (lon - LON_CENTRE) * COS_LAT * UNITS_PER_DEG
    y = HEIGHT - (lat - LAT_MIN) * UNITS_PER_DEG
    return x, y


def num(value):
    """Format a number compactly and reproducibly (one decimal place)."""
    formatted = f"{value:.1f}"
    return formatted[:-2] if formatted.endswith(".0") else formatted


def path_data(points, close=False):
    """SVG path data for a list of (lon, lat) points."""
    parts = []
    for i, (lon, lat) in enumerate(points):
        x, y = project(lon, lat)
        parts.append(f"{'M' if i == 0 else 'L'}{num(x)},{num(y)}")
    if close:
        parts.append("Z")
    return " ".join(parts)


def reverse(points):
    return list(reversed(points))


# --------------------------------------------------------------------------
# Style
# --------------------------------------------------------------------------

# Light tints that stay distinct from the near-white sea in greyscale print.
SEA = "#f7fafc"
LAND = {
    "china": "#efebe0",
    "north-korea": "#e0e8d7",
    "south-korea": "#ecece8",
    "russia": "#ede9df",
}
INK = "#222222"
COAST = "#5b6670"
RIVER = "#3f7fbf"
BORDER = "#222222"
FONT = "Charis SIL, serif"

LINE_STYLES = {  # shared by the map and its legend
    "river": {"stroke": RIVER, "stroke-width": "5", "fill": "none",
              "stroke-linejoin": "round", "stroke-linecap": "round"},
    "border": {"stroke": BORDER, "stroke-width": "1.8", "fill": "none",
               "stroke-dasharray": "10 8", "stroke-linejoin": "round"},
    "dmz-band": {"stroke": "#b8b8b8", "stroke-width": "7", "fill": "none",
                 "stroke-linejoin": "round"},
    "dmz-line": {"stroke": BORDER, "stroke-width": "2", "fill": "none",
                 "stroke-dasharray": "6 5", "stroke-linejoin": "round"},
}

TEXT_STYLES = {
    "country": {"font-size": "36", "letter-spacing": "6"},
    "country-tight": {"font-size": "36", "letter-spacing": "3"},
    "country-small": {"font-size": "24", "letter-spacing": "3"},
    "river": {"font-size": "24", "font-style": "italic"},
    "sea": {"font-size": "28", "font-style": "italic", "letter-spacing": "1"},
    "sea-small": {"font-size": "22", "font-style": "italic"},
    "note": {"font-size": "20", "letter-spacing": "2"},
    "place": {"font-size": "24"},
    "legend": {"font-size": "20"},
}

SVG_NS = "http://www.w3.org/2000/svg"
E = ElementMaker(namespace=SVG_NS, nsmap={None: SVG_NS})


def text(content, x, y, style, anchor="middle", rotate=0):
    attrs = {"x": num(x), "y": num(y), "text-anchor": anchor}
    attrs.update(TEXT_STYLES[style])
    if rotate:
        attrs["transform"] = f"rotate({num(rotate)} {num(x)} {num(y)})"
    return E.text(content, **attrs)


# --------------------------------------------------------------------------
# Map layers
# --------------------------------------------------------------------------

def land_layer():
    """Filled land areas; each polygon is closed well outside the frame."""
    tripoint = TUMEN.index(TRIPOINT_CN_KP_RU)
    china = (COAST_CHINA + reverse(YALU)[1:] + TUMEN[1:tripoint]
             + BORDER_CN_RU + [(121.0, 44.5), (121.0, 39.0)])
    north_korea = (COAST_NK_WEST + MDL[1:] + COAST_NK_EAST[1:]
                   + reverse(TUMEN)[1:] + YALU[1:])
    south_korea = (MDL + COAST_SK_EAST[1:] + [(126.0, 36.5)]
                   + reverse(COAST_SK_WEST)[:-1])
    russia = (TUMEN[tripoint:] + COAST_RUSSIA[1:]
              + [(133.0, 44.5)] + reverse(BORDER_CN_RU)[:-1])
    group = E.g({"stroke": COAST, "stroke-width": "1.5",
                 "stroke-linejoin": "round"}, id="land")
    for name, points in (("china", china), ("north-korea", north_korea),
                         ("south-korea", south_korea), ("russia", russia)):
        group.append(E.path(id=f"land-{name}", fill=LAND[name],
                            d=path_data(points, close=True)))
    return group


def graticule_ticks():
    """Short ticks and labels at whole even degrees along the frame edges.

    Ticks rather than full graticule lines keep the labels free of clutter.
    """
    tick = 12
    lines = E.g({"stroke": INK, "stroke-width": "1.5"}, id="graticule-ticks")
    labels = E.g({"fill": INK, "font-family": FONT, "font-size": "20"},
                 id="graticule-labels")
    for lon in (124, 126, 128, 130):
        x = num(project(lon, LAT_MIN)[0])
        lines.append(E.path(d=f"M{x},0 L{x},{tick} M{x},{HEIGHT - tick} L{x},{HEIGHT}"))
        labels.append(E.text(f"{lon}°E", x=x, y=str(tick + 20),
                             **{"text-anchor": "middle"}))
    for lat in (38, 40, 42):
        y = num(project(LON_CENTRE, lat)[1])
        lines.append(E.path(d=f"M0,{y} L{tick},{y} M{WIDTH - tick},{y} L{WIDTH},{y}"))
        labels.append(E.text(f"{lat}°N", x=str(tick + 4), y=num(float(y) + 6)))
    return E.g(lines, labels, id="graticule")


def lines_layer():
    mdl = path_data(MDL)
    return E.g(
        # DMZ: a light band with the demarcation line dashed along it.
        E.path(LINE_STYLES["dmz-band"], d=mdl),
        E.path(LINE_STYLES["dmz-line"], d=mdl),
        # Rivers, then the international border drawn along them.
        E.g(E.path(d=path_data(YALU)), E.path(d=path_data(TUMEN)),
            LINE_STYLES["river"], id="rivers"),
        E.g(E.path(d=path_data(YALU)), E.path(d=path_data(TUMEN)),
            E.path(d=path_data(BORDER_CN_RU)),
            LINE_STYLES["border"], id="border"),
        id="lines",
    )


def peak_symbol(x, y, size=11):
    return E.path(d=f"M{num(x)},{num(y - size)} L{num(x + size)},{num(y + size * 0.7)} "
                    f"L{num(x - size)},{num(y + size * 0.7)} Z",
                  fill=INK, stroke="#ffffff", **{"stroke-width": "1.5"})


def place_symbol(x, y, kind):
    if kind == "capital":
        return E.g(E.circle(cx=num(x), cy=num(y), r="8", fill="#ffffff",
                            stroke=INK, **{"stroke-width": "2.5"}),
                   E.circle(cx=num(x), cy=num(y), r="3.5", fill=INK))
    return E.circle(cx=num(x), cy=num(y), r="5.5", fill=INK,
                    stroke="#ffffff", **{"stroke-width": "1.5"})


LABEL_OFFSETS = {  # (dx, dy, text-anchor) from the dot to the label
    "right": (14, 8, "start"),
    "left": (-14, 8, "end"),
    "upleft": (-10, -10, "end"),
    "downright": (10, 26, "start"),
}


def places_layer():
    group = E.g({"fill": INK, "font-family": FONT}, id="places")
    x, y = project(*MOUNT_PAEKTU)
    group.append(peak_symbol(x, y))
    group.append(text("Mt Paektu", x - 16, y - 2, "place", anchor="end"))
    group.append(text("(Changbai Shan)", x - 16, y + 22, "legend", anchor="end"))
    for name, lon, lat, kind, side in PLACES:
        x, y = project(lon, lat)
        group.append(place_symbol(x, y, kind))
        dx, dy, anchor = LABEL_OFFSETS[side]
        group.append(text(name, x + dx, y + dy, "place", anchor=anchor))
    return group


def labels_layer():
    group = E.g({"fill": INK, "font-family": FONT}, id="labels")
    for content, lon, lat, style, rotation in LABELS:
        x, y = project(lon, lat)
        group.append(text(content, x, y, style, rotate=rotation))
    return group


def north_arrow(x, y):
    """A simple north arrow whose tip is at (x, y)."""
    return E.g(
        E.path(d=f"M{x},{y} L{x + 12},{y + 42} L{x},{y + 33} L{x - 12},{y + 42} Z",
               fill=INK),
        E.text("N", x=num(x), y=num(y + 68), **{"text-anchor": "middle",
                                                "font-size": "24"}),
        {"font-family": FONT, "fill": INK}, id="north-arrow",
    )


def scale_bar(x, y):
    """A 0–50–100 km scale bar whose left end is at (x, y).

    True north–south everywhere, and east–west at the map's centre latitude.
    """
    unit = 50 * UNITS_PER_KM
    group = E.g({"font-family": FONT, "fill": INK, "font-size": "18"},
                id="scale-bar")
    for i, colour in enumerate((INK, "#ffffff")):
        group.append(E.rect(x=num(x + i * unit), y=num(y), width=num(unit),
                            height="7", fill=colour, stroke=INK,
                            **{"stroke-width": "1.2"}))
    for i, label in enumerate(("0", "50", "100 km")):
        # "100 km" is centred on its number, not on the whole label.
        dx = 16 if i == 2 else 0
        group.append(E.text(label, x=num(x + i * unit + dx), y=num(y + 27),
                            **{"text-anchor": "middle"}))
    return group


def legend(x, y):
    """Legend box (with scale bar and note) whose top-left corner is (x, y)."""
    w, h = 344, 285
    group = E.g({"font-family": FONT, "fill": INK}, id="legend")
    group.append(E.rect(x=num(x), y=num(y), width=num(w), height=num(h),
                        fill="#ffffff", stroke=COAST, **{"stroke-width": "1.2"}))
    lx, row = x + 16, y + 34
    for label, key in (("River", ["river"]),
                       ("International border", ["border"]),
                       ("Inter-Korean line (DMZ)", ["dmz-band", "dmz-line"]),
                       ("Capital", "capital"),
                       ("City", "town")):
        mid = row - 7                      # vertical middle of the text
        if isinstance(key, list):          # a sample of line styles
            d = f"M{num(lx)},{num(mid)} L{num(lx + 44)},{num(mid)}"
            group.extend(E.path(LINE_STYLES[style], d=d) for style in key)
        else:                              # a place symbol
            group.append(place_symbol(lx + 22, mid, key))
        group.append(text(label, lx + 56, row, "legend", anchor="start"))
        row += 32
    group.append(scale_bar(lx + 6, row - 6))
    group.append(E.text("Schematic map; borders approximate.",
                        x=num(lx), y=num(y + h - 16),
                        **{"font-size": "20", "font-style": "italic"}))
    return group


# --------------------------------------------------------------------------
# Document
# --------------------------------------------------------------------------

TITLE = ("The China–North Korea border follows the Yalu and Tumen rivers "
         "from Mount Paektu to the sea.")
DESC = ("Schematic map of the northern Korean peninsula and neighbouring "
        "China, showing the Yalu River flowing south-west from Mount Paektu "
        "to Korea Bay at Dandong and Sinuiju, and the Tumen River flowing "
        "north-east from Mount Paektu to the Sea of Japan, the two rivers "
        "forming the border; Pyongyang and the inter-Korean line are also "
        "marked.")


def build():
    svg = E.svg(
        {"version": "1.1", "width": str(WIDTH), "height": str(HEIGHT),
         "viewBox": f"0 0 {WIDTH} {HEIGHT}", "role": "img",
         "aria-labelledby": "map-title map-desc"},
        E.title(TITLE, id="map-title"),
        E.desc(DESC, id="map-desc"),
        E.defs(E.clipPath(E.rect(x="0", y="0", width=str(WIDTH),
                                 height=str(HEIGHT)), id="frame")),
        E.rect(x="0", y="0", width=str(WIDTH), height=str(HEIGHT), fill=SEA),
        E.g(land_layer(), lines_layer(),
            {"clip-path": "url(#frame)"}, id="map"),
        places_layer(),
        labels_layer(),
        graticule_ticks(),
        north_arrow(1130, 430),
        legend(846, 700),
        E.rect(x="1", y="1", width=str(WIDTH - 2), height=str(HEIGHT - 2),
               fill="none", stroke="#444444", **{"stroke-width": "2"}),
    )
    return svg


def main():
    out = Path(__file__).with_name("border-map.svg")
    data = etree.tostring(build(), xml_declaration=True, encoding="UTF-8",
                          pretty_print=True)
    out.write_bytes(data)
    print(f"wrote {out} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
