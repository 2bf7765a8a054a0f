"""Figures drawn on the server: a small drawing model, rendered to SVG text or to PNG bytes (Pillow).

A figure is a list of rectangles, lines, texts and links. Text `y` is the baseline; `anchor` is start,
middle or end, as in SVG. The same figure renders to both formats; PNG needs Pillow, SVG needs nothing.
"""

import io
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Optional, Sequence, Union

from coding.analysis.counts import Frequency, Matrix, Pyramid

INK, MUTED, GRID, WARN = "#1f2937", "#6b7280", "#e5e7eb", "#b91c1c"
HEAT = "#2b6cb0"
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ANCHORS = {"start": "ls", "middle": "ms", "end": "rs"}
FONTS = {False: ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf"),
         True: ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf")}


@dataclass(frozen=True)
class Rect:
    """A rectangle; `hatch` lays diagonal lines over it, `dashed` dashes its outline."""

    x: float
    y: float
    w: float
    h: float
    fill: str = "#ffffff"
    stroke: Optional[str] = None
    opacity: float = 1.0
    hatch: bool = False
    dashed: bool = False


@dataclass(frozen=True)
class Line:
    """A straight line."""

    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = GRID
    width: float = 1.0


@dataclass(frozen=True)
class Text:
    """A line of text; (x, y) is on its baseline at the anchor."""

    x: float
    y: float
    text: str
    anchor: str = "start"
    size: float = 12
    fill: str = INK
    bold: bool = False


@dataclass(frozen=True)
class Link:
    """Items that belong together: a hover title, `data-*` attributes and, if `href`, a link."""

    items: tuple["Item", ...]
    href: Optional[str] = None
    title: Optional[str] = None
    data: tuple[tuple[str, str], ...] = ()


Item = Union[Rect, Line, Text, Link]


@dataclass
class Figure:
    """A drawing of a given size with a title and a description for screen readers."""

    width: int
    height: int
    title: str
    description: str
    items: list[Item] = field(default_factory=list)


# --- rendering: SVG ---------------------------------------------------------------------------------

def _xml(text: object) -> str:
    """Text safe inside an XML element or a double-quoted attribute."""
    text = NOT_XML.sub("", str(text))
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _colour(value: Optional[str], default: str = "#cccccc") -> str:
    return value if value and COLOUR.match(value) else default


def _svg_item(item: Item, hatch_id: str) -> str:
    if isinstance(item, Rect):
        box = f'x="{_n(item.x)}" y="{_n(item.y)}" width="{_n(item.w)}" height="{_n(item.h)}"'
        stroke = (f' stroke="{_colour(item.stroke)}"' + (' stroke-dasharray="4 3"' if item.dashed else "")
                  if item.stroke else "")
        opacity = f' fill-opacity="{item.opacity:.2f}"' if item.opacity < 1 else ""
        out = f'<rect {box} fill="{_colour(item.fill)}"{opacity}{stroke}/>'
        return out + (f'<rect {box} fill="url(#{hatch_id})"/>' if item.hatch else "")
    if isinstance(item, Line):
        return (f'<line x1="{_n(item.x1)}" y1="{_n(item.y1)}" x2="{_n(item.x2)}" y2="{_n(item.y2)}" '
                f'stroke="{_colour(item.stroke)}" stroke-width="{_n(item.width)}"/>')
    if isinstance(item, Text):
        weight = ' font-weight="bold"' if item.bold else ""
        anchor = item.anchor if item.anchor in ANCHORS else "start"
        return (f'<text x="{_n(item.x)}" y="{_n(item.y)}" text-anchor="{anchor}"'
                f' font-size="{_n(item.size)}" fill="{_colour(item.fill, INK)}"{weight}>{_xml(item.text)}</text>')
    data = "".join(f' data-{re.sub("[^a-z0-9-]", "", k.lower())}="{_xml(v)}"' for k, v in item.data)
    tag, href = ("a", f' href="{_xml(item.href)}"') if item.href else ("g", "")
    title = f"<title>{_xml(item.title)}</title>" if item.title else ""
    inner = "".join(_svg_item(child, hatch_id) for child in item.items)
    return f"<{tag}{href}{data}>{title}{inner}</{tag}>"


def _has_links(items) -> bool:
    return any(isinstance(i, Link) and (i.href or _has_links(i.items)) for i in items)


def svg(figure: Figure, *, ident: str = "pf") -> str:
    """The figure as a standalone, accessible SVG document (a string); a figure with links is a group, not an image."""
    role = "group" if _has_links(figure.items) else "img"
    hatch_id = "hatch-" + (re.sub("[^A-Za-z0-9_-]", "", ident) or "pf")
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{figure.width}" height="{figure.height}" '
            f'viewBox="0 0 {figure.width} {figure.height}" role="{role}" aria-label="{_xml(figure.title)}" '
            f'font-family="system-ui, -apple-system, Segoe UI, sans-serif">'
            f"<title>{_xml(figure.title)}</title><desc>{_xml(figure.description)}</desc>"
            f'<defs><pattern id="{hatch_id}" patternUnits="userSpaceOnUse" width="8" height="8" '
            f'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="8" stroke="#9ca3af" '
            f'stroke-width="1.5"/></pattern></defs>'
            f'<rect width="100%" height="100%" fill="#ffffff"/>')
    return head + "".join(_svg_item(item, hatch_id) for item in figure.items) + "</svg>"


# --- rendering: PNG ---------------------------------------------------------------------------------

def _rgb(value: Optional[str], opacity: float = 1.0) -> tuple[int, int, int]:
    """A colour as RGB, blended over white by opacity."""
    code = _colour(value, INK)
    r, g, b = (int(code[i:i + 2], 16) for i in (1, 3, 5))
    return tuple(round(255 + (c - 255) * opacity) for c in (r, g, b))  # type: ignore[return-value]


@lru_cache(maxsize=32)
def _font(size: int, bold: bool = False):
    """A system sans-serif with accents if there is one, else Pillow's own font (ASCII glyphs only)."""
    from PIL import ImageFont
    for name in FONTS[bold]:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError, ImportError):  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def _png_item(draw, item: Item, s: float) -> None:
    if isinstance(item, Link):
        for child in item.items:
            _png_item(draw, child, s)
    elif isinstance(item, Line):
        draw.line([(item.x1 * s, item.y1 * s), (item.x2 * s, item.y2 * s)], fill=_rgb(item.stroke),
                  width=max(1, round(item.width * s)))
    elif isinstance(item, Rect):
        x0, y0, x1, y1 = item.x * s, item.y * s, (item.x + item.w) * s, (item.y + item.h) * s
        draw.rectangle([x0, y0, x1, y1], fill=_rgb(item.fill, item.opacity),
                       outline=_rgb(item.stroke) if item.stroke and not item.dashed else None)
        if item.hatch:
            k = x0 + y0
            while k < x1 + y1:
                xa, xb = max(x0, k - y1), min(x1, k - y0)
                if xa < xb:
                    draw.line([(xa, k - xa), (xb, k - xb)], fill=_rgb("#9ca3af"), width=1)
                k += 8 * s
        if item.stroke and item.dashed:
            for (ax, ay), (bx, by) in (((x0, y0), (x1, y0)), ((x1, y0), (x1, y1)), ((x1, y1), (x0, y1)),
                                       ((x0, y1), (x0, y0))):
                length = math.hypot(bx - ax, by - ay) or 1
                t = 0.0
                while t < length:
                    u = min(t + 4 * s, length)
                    draw.line([(ax + (bx - ax) * t / length, ay + (by - ay) * t / length),
                               (ax + (bx - ax) * u / length, ay + (by - ay) * u / length)],
                              fill=_rgb(item.stroke), width=1)
                    t += 7 * s
    else:
        font = _font(max(6, round(item.size * s)), item.bold)
        text = NOT_XML.sub("", item.text)
        try:
            draw.text((item.x * s, item.y * s), text, font=font, fill=_rgb(item.fill),
                      anchor=ANCHORS.get(item.anchor, "ls"))
        except (ValueError, UnicodeEncodeError):  # the bitmap font: no anchors, Latin-1 only
            text = text.encode("latin-1", "replace").decode("latin-1")
            width = draw.textlength(text, font=font)
            shift = {"middle": width / 2, "end": width}.get(item.anchor, 0)
            draw.text((item.x * s - shift, item.y * s - item.size * s), text, font=font, fill=_rgb(item.fill))


def png(figure: Figure, *, scale: float = 1.0) -> bytes:
    """The figure as PNG bytes, `scale` times its size in pixels."""
    from PIL import Image, ImageDraw
    size = (max(1, round(figure.width * scale)), max(1, round(figure.height * scale)))
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for item in figure.items:
        _png_item(draw, item, scale)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# --- layout helpers -----------------------------------------------------------------------------------

def text_width(text: str, size: float) -> float:
    """A generous estimate of how wide a text is drawn, in pixels."""
    return len(text) * size * 0.58


def fit(text: str, size: float, width: float) -> str:
    """The text, cut with an ellipsis if it would be wider than `width`."""
    if text_width(text, size) <= width:
        return text
    keep = max(1, int(width / (size * 0.58)) - 1)
    return text[:keep].rstrip() + "…"


def wrap(text: str, size: float, width: float, lines: int = 2) -> list[str]:
    """The text broken at spaces into at most `lines` lines no wider than `width`; the last may be cut."""
    out: list[str] = []
    for word in text.split():
        if out and text_width(out[-1] + " " + word, size) <= width:
            out[-1] += " " + word
        else:
            out.append(word)
    if len(out) > lines:
        out = out[:lines - 1] + [" ".join(out[lines - 1:])]
    return [fit(line, size, width) for line in out] or [""]


def nice_step(top: int, ticks: int = 5) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving about `ticks` ticks up to `top`."""
    raw = max(1.0, top / ticks)
    power = 10 ** math.floor(math.log10(raw))
    return int(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


def _mix(colour: str, t: float) -> str:
    r, g, b = _rgb(colour, t)
    return f"#{r:02x}{g:02x}{b:02x}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --- figures ------------------------------------------------------------------------------------------

def bar_chart(frequencies: Sequence[Frequency], *, measure: str = "passages",
              title: str = "Coded passages by code", width: int = 640, height: Optional[int] = None,
              link: Optional[Callable[[str], Optional[str]]] = None) -> Figure:
    """Horizontal bars, one per code in its colour, long as its passages (or participants, documents)."""
    if measure not in ("passages", "participants", "documents"):
        raise ValueError(f"measure must be passages, participants or documents, not {measure!r}")
    rows = list(frequencies)
    top, bottom, size = 36, 28, 12
    pitch = 30 if height is None or not rows else max(8, (height - top - bottom) / len(rows))
    height = height or top + bottom + pitch * max(1, len(rows))
    figure = Figure(width, height, title, f"Bar chart of {measure} for {len(rows)} codes: " + "; ".join(
        f"{f.name} {getattr(f, measure)}" for f in rows) + ".")
    figure.items.append(Text(8, 22, title, size=14, bold=True))
    if not rows:
        figure.items.append(Text(width / 2, height / 2, "Nothing coded yet", "middle", fill=MUTED))
        return figure
    left = min(max(text_width(f.name, size) for f in rows) + 16, width * 0.4)
    right = width - 48
    most = max(getattr(f, measure) for f in rows)
    step = nice_step(most)
    scale_top = max(step, math.ceil(most / step) * step)

    def x_of(v: float) -> float:
        return left + (right - left) * v / scale_top

    for tick in range(0, scale_top + 1, step):
        figure.items.append(Line(x_of(tick), top - 4, x_of(tick), height - bottom + 2))
        figure.items.append(Text(x_of(tick), height - bottom + 16, str(tick), "middle", 10, MUTED))
    bar = pitch * 0.7
    for index, f in enumerate(rows):
        y = top + index * pitch + (pitch - bar) / 2
        value = getattr(f, measure)
        items = (Text(left - 8, y + bar / 2 + size * 0.35, fit(f.name, size, left - 12), "end", size),
                 Rect(left, y, max(0.0, x_of(value) - left), bar, f.colour, stroke="#4b5563"),
                 Text(x_of(value) + 6, y + bar / 2 + size * 0.35, str(value), size=size))
        hover = (f"{f.name}: {_plural(f.passages, 'passage')}, {_plural(f.participants, 'participant')}, "
                 f"{_plural(f.documents, 'transcript')}")
        figure.items.append(Link(items, link(f.key) if link and value else None, hover,
                                 (("code", f.key), ("count", str(value)))))
    figure.items.append(Line(left, top - 4, left, height - bottom + 2, MUTED))
    return figure


def heatmap(matrix: Matrix, *, title: str = "Co-occurrence", width: int = 720, height: Optional[int] = None,
            link: Optional[Callable[[str, str], Optional[str]]] = None, colour: str = HEAT) -> Figure:
    """The matrix as a grid of cells shaded by count with the count written in; non-empty cells link out."""
    rows, columns = matrix.rows, matrix.columns
    two = any(matrix.cell(r, c).participants is not None for r in rows for c in columns)
    legend = f"Numbers: {matrix.measure}" + (" (participants)" if two else "")
    description = f"{title}: {len(rows)} rows by {len(columns)} columns; {legend.lower()}. " + "; ".join(
        f"{rl} × {cl}: {matrix.cell(r, c).count}" for r, rl in zip(rows, matrix.row_labels)
        for c, cl in zip(columns, matrix.column_labels)) + "."
    top, size = 36, 12
    left = min(max((text_width(label, size) for label in matrix.row_labels), default=0) + 16, width * 0.35)
    cell_w = (width - left - 8) / max(1, len(columns))
    header = 3 * 15 + 10
    cell_h = 36.0 if height is None or not rows else max(14, (height - top - header - 28) / len(rows))
    height = height or round(top + header + cell_h * max(1, len(rows)) + 28)
    figure = Figure(width, height, title, description)
    figure.items.append(Text(8, 22, title, size=14, bold=True))
    if not rows or not columns:
        figure.items.append(Text(width / 2, height / 2, "Nothing to compare", "middle", fill=MUTED))
        return figure
    for j, label in enumerate(matrix.column_labels):
        lines = wrap(label, size, cell_w - 8, 3)
        for k, line in enumerate(lines):
            y = top + header - 8 - (len(lines) - 1 - k) * 15
            figure.items.append(Text(left + (j + 0.5) * cell_w, y, line, "middle", size))
    most = matrix.maximum() or 1
    for i, (row, row_label) in enumerate(zip(rows, matrix.row_labels)):
        y = top + header + i * cell_h
        figure.items.append(Text(left - 8, y + cell_h / 2 + size * 0.35, fit(row_label, size, left - 12),
                                 "end", size))
        for j, (column, column_label) in enumerate(zip(columns, matrix.column_labels)):
            cell = matrix.cell(row, column)
            t = cell.count / most
            number = str(cell.count) + (f" ({cell.participants})" if cell.participants is not None else "")
            hover = f"{row_label} × {column_label}: {cell.count} {matrix.measure}" + (
                f" from {_plural(cell.participants, 'participant')}" if cell.participants is not None else "") + (
                f"; opens {_plural(len(cell.coding_ids), 'coded passage')}" if cell.coding_ids else "")
            items = (Rect(left + j * cell_w + 1, y + 1, cell_w - 2, cell_h - 2,
                          _mix(colour, 0.12 + 0.88 * t) if cell.count else "#f9fafb", stroke="#ffffff"),
                     Text(left + (j + 0.5) * cell_w, y + cell_h / 2 + size * 0.35, number, "middle", size,
                          "#ffffff" if t > 0.55 else INK, bold=bool(cell.count)))
            href = link(row, column) if link and cell.count else None
            figure.items.append(Link(items, href, hover, (("row", row), ("column", column),
                                                         ("count", str(cell.count)),
                                                         ("passages", str(len(cell.coding_ids))))))
    figure.items.append(Text(8, height - 10, legend, size=11, fill=MUTED))
    return figure


def pyramid_figure(pyramid: Pyramid, *, title: str = "The values pyramid", width: int = 720,
                   height: Optional[int] = None, link: Optional[Callable[[str], Optional[str]]] = None
                   ) -> Figure:
    """Foundation values as blocks along the bottom, dependent values above; unevidenced ones hatched."""
    height = height or 360
    values = pyramid.values
    thin = [v.name for v in pyramid.foundation if not v.evidenced]
    note = ("Thin foundation: no evidence yet for " + ", ".join(thin) if thin
            else "Every foundation value is evidenced" if pyramid.foundation else "")
    figure = Figure(width, height, title, f"{title}. " + "; ".join(
        f"{v.name} ({v.tier}): {_plural(v.passages, 'passage')}, {_plural(v.participants, 'participant')}"
        for v in values) + (f". {note}." if note else "."))
    figure.items.append(Text(8, 22, title, size=14, bold=True))
    if not values:
        figure.items.append(Text(width / 2, height / 2, "This codebook has no tiered values", "middle",
                                 fill=MUTED))
        return figure
    top, bottom, gap, margin = 52, 40, 10, 16
    block_h = (height - top - bottom - 18 - gap) / 2
    most = max(v.passages for v in values) or 1
    for row, (tier, label, span) in enumerate(((pyramid.dependent, "Dependent values", 0.7),
                                               (pyramid.foundation, "Foundation values", 1.0))):
        y = top + row * (block_h + gap + 18)
        full = (width - 2 * margin) * span
        x0 = (width - full) / 2
        figure.items.append(Text(x0, y - 6, label, size=11, fill=MUTED))
        if not tier:
            continue
        block_w = (full - gap * (len(tier) - 1)) / len(tier)
        for k, value in enumerate(tier):
            x = x0 + k * (block_w + gap)
            cx = x + block_w / 2
            if value.evidenced:
                box = Rect(x, y, block_w, block_h, value.colour, "#4b5563", 0.35 + 0.65 * value.passages / most)
                detail = f"{_plural(value.passages, 'passage')} · {_plural(value.participants, 'participant')}"
            else:
                box = Rect(x, y, block_w, block_h, "#ffffff", "#6b7280", hatch=True, dashed=True)
                detail = "no evidence"
            lines = wrap(value.name, 13, block_w - 12, 2)
            first = y + block_h / 2 - (len(lines) - 1) * 8
            items = [box] + [Text(cx, first + i * 16, line, "middle", 13, bold=True)
                             for i, line in enumerate(lines)]
            items.append(Text(cx, first + len(lines) * 16 + 4, fit(detail, 11, block_w - 8), "middle", 11,
                              INK if value.evidenced else WARN))
            hover = f"{value.name} ({value.tier}): " + (
                f"{_plural(value.passages, 'passage')} from {_plural(value.participants, 'participant')} "
                f"in {_plural(value.documents, 'transcript')}" if value.evidenced else "no evidence")
            figure.items.append(Link(tuple(items), link(value.key) if link and value.evidenced else None,
                                     hover, (("code", value.key), ("count", str(value.passages)))))
    if note:
        figure.items.append(Text(margin, height - 14, fit(note, 12, width - 2 * margin), size=12,
                                 fill=WARN if thin else MUTED, bold=bool(thin)))
    return figure
