"""Code colours: a distinct colour for every sub-code of a family, and the tint and line a highlight draws.

Colours are worked in OKLab/OKLCH (perceptually even), contrast in WCAG 2 terms. A family keeps its
parent's hue; its children step through lightness and nearby hues, each chosen as far as possible from
the parent and the siblings already coloured.
"""

import math
from functools import lru_cache
from typing import Iterable, Optional, Sequence

INK = "#1f2328"
MUTED = "#5b6470"
WHITE = "#ffffff"
# a categorical palette for new top-level codes (ColorBrewer Set3, as the shipped frameworks use)
TOP_LEVEL = ("#8dd3c7", "#80b1d3", "#fdb462", "#b3de69", "#fb8072", "#bebada", "#ffed6f", "#fccde5",
             "#e5c494", "#bc80bd", "#ccebc5", "#d9d9d9")
LINE_CONTRAST = 3.6  # a code's line against white; over its own tint it still clears 3:1
TINT_LUMINANCE = 0.78  # every tint this light keeps ink and muted text above 4.5:1
CHILD_LIGHTNESS = (0.34, 0.41, 0.48, 0.55, 0.62)
CHILD_HUE_STEPS = (-36, -18, 0, 18, 36)


def _rgb(colour: str) -> tuple[float, float, float]:
    value = colour.lstrip("#")
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _hex(rgb: Sequence[float]) -> str:
    return "#" + "".join(f"{round(min(1.0, max(0.0, c)) * 255):02x}" for c in rgb)


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def luminance(colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    r, g, b = (_linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def oklab(colour: str) -> tuple[float, float, float]:
    """#rrggbb in OKLab (L from 0 to 1)."""
    r, g, b = (_linear(c) for c in _rgb(colour))
    lms = (0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b,
           0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b,
           0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b)
    l_, m_, s_ = (math.copysign(abs(v) ** (1 / 3), v) for v in lms)
    return (0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_,
            1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_,
            0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_)


def _from_oklab(lightness: float, a: float, b: float) -> Optional[tuple[float, float, float]]:
    """Linear-light sRGB for an OKLab colour, or None when it lies outside sRGB."""
    l_ = lightness + 0.3963377774 * a + 0.2158037573 * b
    m_ = lightness - 0.1055613458 * a - 0.0638541728 * b
    s_ = lightness - 0.0894841775 * a - 1.2914855480 * b
    l, m, s = l_ ** 3, m_ ** 3, s_ ** 3
    rgb = (4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
           -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
           -0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s)
    return rgb if all(-1e-6 <= c <= 1 + 1e-6 for c in rgb) else None


def from_oklch(lightness: float, chroma: float, hue: float) -> str:
    """The sRGB colour nearest OKLCH (L, C, h°), keeping L and h and giving up chroma to stay in gamut."""
    angle = math.radians(hue)
    low, high = 0.0, chroma
    if _from_oklab(lightness, chroma * math.cos(angle), chroma * math.sin(angle)) is not None:
        low = chroma
    for _ in range(24):
        if high - low < 1e-4:
            break
        mid = (low + high) / 2
        if _from_oklab(lightness, mid * math.cos(angle), mid * math.sin(angle)) is None:
            high = mid
        else:
            low = mid
    rgb = _from_oklab(lightness, low * math.cos(angle), low * math.sin(angle)) or (lightness,) * 3
    return _hex([_gamma(max(0.0, c)) for c in rgb])


def oklch(colour: str) -> tuple[float, float, float]:
    """#rrggbb as OKLCH (L, C, h in degrees)."""
    lightness, a, b = oklab(colour)
    return lightness, math.hypot(a, b), math.degrees(math.atan2(b, a)) % 360


def difference(a: str, b: str) -> float:
    """Perceptual distance of two colours (Euclidean in OKLab; about 0.02 is just noticeable)."""
    return math.dist(oklab(a), oklab(b))


@lru_cache(maxsize=4096)
def line(colour: str) -> str:
    """The code's colour for underlines, stripes and borders: itself when dark enough to see on white,
    otherwise the same hue darkened until it is."""
    colour = colour.lower()
    if contrast(colour, WHITE) >= LINE_CONTRAST:
        return colour
    lightness, chroma, hue = oklch(colour)
    while lightness > 0.05:
        lightness -= 0.01
        darker = from_oklch(lightness, chroma, hue)
        if contrast(darker, WHITE) >= LINE_CONTRAST:
            return darker
    return INK


@lru_cache(maxsize=4096)
def tint(colour: str) -> str:
    """A light background in the code's hue, under which ink and muted text keep 4.5:1 or better."""
    _, chroma, hue = oklch(colour.lower())
    lightness = 0.945
    while True:
        light = from_oklch(lightness, min(chroma * 0.45, 0.05), hue)
        if luminance(light) >= TINT_LUMINANCE or lightness >= 0.99:
            return light
        lightness += 0.005


def _family(parent: str) -> tuple[float, float, float]:
    """The hue, chroma and spread a parent's children are drawn from (greys get a quiet slate family)."""
    _, chroma, hue = oklch(parent)
    if chroma < 0.03:
        return 250.0, 0.045, 2.5
    return hue, min(max(chroma * 1.4, 0.09), 0.15), 1.0


def child_colour(parent: str, taken: Iterable[str] = ()) -> str:
    """A colour for a new sub-code of `parent`: in its family, as far as can be from the parent and from
    the colours already `taken` (its siblings)."""
    parent = parent.lower()
    hue, chroma, spread = _family(parent)
    avoid = [parent, line(parent), *(c.lower() for c in taken)]
    best, best_distance = "", -1.0
    for step in CHILD_HUE_STEPS:
        for lightness in CHILD_LIGHTNESS:
            candidate = line(from_oklch(lightness, chroma, (hue + step * spread) % 360))
            distance = min(difference(candidate, other) for other in avoid)
            if distance > best_distance + 1e-9:
                best, best_distance = candidate, distance
    return best


def children_colours(parent: str, count: int) -> list[str]:
    """Distinct colours for `count` sub-codes of a code coloured `parent`, in order."""
    colours: list[str] = []
    for _ in range(count):
        colours.append(child_colour(parent, colours))
    return colours


def top_level_colour(taken: Iterable[str]) -> str:
    """A colour for a new top-level code: the first of the categorical palette no top-level code has yet."""
    used = {c.lower() for c in taken}
    return next((c for c in TOP_LEVEL if c not in used), TOP_LEVEL[len(used) % len(TOP_LEVEL)])
