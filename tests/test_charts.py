"""Server-drawn figures: well-formed, accessible SVG with every label; real PNGs of the requested size."""

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from coding.analysis.charts import (Figure, Link, Rect, Text, bar_chart, fit, heatmap, nice_step, png, pyramid_figure,
                                    svg, wrap)
from coding.analysis.counts import Cell, Frequency, Matrix, Pyramid, PyramidValue

SVG = "{http://www.w3.org/2000/svg}"
NASTY = ["Safety & <trust>", 'He said "hi" & it\'s', "Café é", "Joy 😊", "Tab\x0bbed"]

FREQUENCIES = [
    Frequency("safety", NASTY[0], "#ffffb3", 4, 3, 2),
    Frequency("quotes", NASTY[1], "#8dd3c7", 2, 2, 1),
    Frequency("cafe", NASTY[2], "#bebada", 0, 0, 0),
    Frequency("joy", NASTY[3], "not a colour", 1, 1, 1),
]
MATRIX = Matrix(
    rows=("safety", "joy"), columns=("group", "online"),
    cells={("safety", "group"): Cell(4, (1, 2)), ("safety", "online"): Cell(2, (3,)),
           ("joy", "group"): Cell(0), ("joy", "online"): Cell(1, (4,))},
    row_labels=(NASTY[0], NASTY[3]), column_labels=(NASTY[2], NASTY[1]), measure="shared turns")
BY_PEOPLE = Matrix(rows=("safety",), columns=("group",), cells={("safety", "group"): Cell(5, (1,), 2)},
                   row_labels=("Safety",), column_labels=("group",), measure="passages")


def value(key, name, tier, passages, colour="#8dd3c7"):
    return PyramidValue(key, name, colour, tier, passages, min(passages, 2), min(passages, 1))


PYRAMID = Pyramid(
    foundation=(value("eic", "Experience in common", "foundation", 3), value("safety", NASTY[0], "foundation", 0),
                value("cc", NASTY[2], "foundation", 6)),
    dependent=(value("two", "Two-way interactions", "dependent", 0), value("hc", NASTY[3], "dependent", 1),
               value("free", "Freedom to be oneself", "dependent", 2)))


def parse(figure):
    return ET.fromstring(svg(figure))


def all_text(root):
    return "".join(root.itertext())


def links(root):
    return root.iter(f"{SVG}a")


FIGURES = {
    "bar": lambda: bar_chart(FREQUENCIES, title="Codes & <counts>"),
    "heatmap": lambda: heatmap(MATRIX, title="Values × decisions"),
    "pyramid": lambda: pyramid_figure(PYRAMID, title="Pyramid for PV44 “é”"),
}
LABELS = {
    "bar": [f.name for f in FREQUENCIES],
    "heatmap": list(MATRIX.row_labels + MATRIX.column_labels),
    "pyramid": [v.name for v in PYRAMID.values],
}


# SVG

@pytest.mark.parametrize("name", FIGURES)
def test_svg_is_well_formed_accessible_and_has_every_label(name):
    figure = FIGURES[name]()
    root = parse(figure)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("aria-label") == figure.title
    assert root.find(f"{SVG}title").text == figure.title
    assert root.find(f"{SVG}desc").text
    text = all_text(root)
    for label in LABELS[name]:
        assert label in text, label
    assert (root.get("width"), root.get("height")) == (str(figure.width), str(figure.height))


def test_control_characters_are_dropped_from_svg():
    root = parse(bar_chart([Frequency("t", NASTY[4], "#ffffff", 1, 1, 1)]))
    assert "Tabbed" in all_text(root)


def test_heatmap_cells_link_to_their_quotes_and_carry_data():
    root = parse(heatmap(MATRIX, link=lambda r, c: f"/quotes?row={r}&column={c}"))
    found = {(a.get("data-row"), a.get("data-column")): a for a in links(root)}
    assert set(found) == {("safety", "group"), ("safety", "online"), ("joy", "online")}   # the empty cell is not
    cell = found[("safety", "group")]
    assert cell.get("href") == "/quotes?row=safety&column=group"
    assert cell.get("data-count") == "4"
    assert cell.find(f"{SVG}title").text == f"{NASTY[0]} × {NASTY[2]}: 4 shared turns; opens 2 coded passages"
    assert [t.text for t in cell.iter(f"{SVG}text")] == ["4"]


def test_heatmap_without_links_and_with_participants():
    root = parse(heatmap(MATRIX, link=lambda r, c: None))
    assert list(links(root)) == []
    assert {g.get("data-count") for g in root.iter(f"{SVG}g")} == {"0", "1", "2", "4"}
    people = parse(heatmap(BY_PEOPLE))
    assert "5 (2)" in [t.text for t in people.iter(f"{SVG}text")]
    assert "Numbers: passages (participants)" in all_text(people)
    assert "Safety × group: 5 passages from 2 participants" in all_text(people)


def test_heatmap_shades_by_count():
    fills = {}
    for item in heatmap(MATRIX).items:
        if isinstance(item, Link):
            fills[dict(item.data)["count"]] = item.items[0].fill
    darkness = {count: sum(int(fill[i:i + 2], 16) for i in (1, 3, 5)) for count, fill in fills.items()}
    assert darkness["4"] < darkness["2"] < darkness["1"] < darkness["0"]


def test_bar_lengths_are_proportional_and_bars_link_by_code():
    figure = bar_chart(FREQUENCIES, link=lambda key: f"/quotes?code={key}")
    bars = {dict(item.data)["code"]: item.items[1] for item in figure.items if isinstance(item, Link)}
    assert bars["safety"].w == pytest.approx(2 * bars["quotes"].w) == pytest.approx(4 * bars["joy"].w)
    assert bars["cafe"].w == 0
    assert (bars["safety"].fill, bars["joy"].fill) == ("#ffffb3", "not a colour")
    root = parse(figure)
    assert {a.get("href") for a in links(root)} == {"/quotes?code=safety", "/quotes?code=quotes",
                                                      "/quotes?code=joy"}
    assert 'fill="#cccccc"' in svg(figure)    # a bad colour is replaced, never written out
    assert "4 passages, 3 participants, 2 transcripts" in all_text(root)


def test_bar_chart_by_participants_and_bad_measure():
    figure = bar_chart(FREQUENCIES, measure="participants")
    bars = [item.items[1].w for item in figure.items if isinstance(item, Link)]
    assert bars[0] == pytest.approx(1.5 * bars[1])
    with pytest.raises(ValueError, match="measure"):
        bar_chart(FREQUENCIES, measure="words")


def test_pyramid_puts_foundation_below_and_marks_missing_evidence():
    figure = pyramid_figure(PYRAMID, link=lambda key: f"/quotes?code={key}")
    blocks = {dict(item.data)["code"]: item.items[0] for item in figure.items if isinstance(item, Link)}
    foundation_y = {blocks[k].y for k in ("eic", "safety", "cc")}
    dependent_y = {blocks[k].y for k in ("two", "hc", "free")}
    assert len(foundation_y) == len(dependent_y) == 1 and min(foundation_y) > max(dependent_y)
    assert blocks["eic"].x < blocks["safety"].x < blocks["cc"].x
    assert blocks["cc"].opacity == 1.0 and blocks["eic"].opacity == pytest.approx(0.35 + 0.65 * 3 / 6)
    assert blocks["safety"].hatch and blocks["safety"].dashed and not blocks["eic"].hatch
    root = parse(figure)
    assert "Thin foundation: no evidence yet for Safety & <trust>" in all_text(root)
    missing = [g for g in root.iter(f"{SVG}g") if g.get("data-code") in ("safety", "two")]
    assert [g.find(f"{SVG}title").text.endswith(": no evidence") for g in missing] == [True, True]
    assert ["no evidence" in [t.text for t in g.iter(f"{SVG}text")] for g in missing] == [True, True]
    assert {a.get("data-code") for a in links(root)} == {"eic", "cc", "hc", "free"}
    assert "url(#hatch-pf)" in svg(figure)


def test_pyramid_with_a_full_foundation_and_an_empty_codebook():
    full = Pyramid(PYRAMID.foundation[:1], ())
    assert "Every foundation value is evidenced" in all_text(parse(pyramid_figure(full)))
    assert "no tiered values" in all_text(parse(pyramid_figure(Pyramid((), ()))))


@pytest.mark.parametrize("figure, message", [
    (bar_chart([]), "Nothing coded yet"),
    (heatmap(Matrix((), (), {}, (), (), "shared turns")), "Nothing to compare"),
])
def test_empty_figures_say_so(figure, message):
    assert message in all_text(parse(figure))


# PNG

@pytest.mark.parametrize("name", FIGURES)
@pytest.mark.parametrize("scale", [1, 2])
def test_png_is_a_real_png_of_the_requested_size(name, scale):
    figure = FIGURES[name]()
    data = png(figure, scale=scale)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(data))
    image.verify()
    assert Image.open(io.BytesIO(data)).size == (figure.width * scale, figure.height * scale)


@pytest.mark.parametrize("make", [
    lambda: bar_chart(FREQUENCIES, width=500, height=300),
    lambda: heatmap(MATRIX, width=500, height=300),
    lambda: pyramid_figure(PYRAMID, width=500, height=300),
])
def test_figures_take_the_size_asked_for(make):
    figure = make()
    assert (figure.width, figure.height) == (500, 300)
    assert Image.open(io.BytesIO(png(figure))).size == (500, 300)


def test_png_draws_the_same_model():
    figure = Figure(60, 40, "t", "d", [
        Rect(0, 0, 30, 40, "#2b6cb0"), Rect(30, 0, 30, 40, "#000000", opacity=0.5),
        Text(5, 30, "é 😊 & <x>", "start"), Text(55, 30, "end", "end", bold=True)])
    image = Image.open(io.BytesIO(png(figure))).convert("RGB")
    assert image.getpixel((2, 2)) == (0x2b, 0x6c, 0xb0)
    assert image.getpixel((58, 2)) == (128, 128, 128)          # half-opaque black over white
    hatched = Image.open(io.BytesIO(png(Figure(40, 40, "t", "d", [Rect(0, 0, 40, 40, hatch=True)]))))
    assert len(hatched.convert("RGB").getcolors()) > 1         # the hatching shows


# Layout helpers

@pytest.mark.parametrize("top, step", [(0, 1), (3, 1), (7, 2), (10, 2), (12, 5), (40, 10), (230, 50)])
def test_nice_step(top, step):
    assert nice_step(top) == step


def test_fit_and_wrap():
    assert fit("short", 12, 200) == "short"
    assert fit("a rather long code name", 10, 60) == "a rather…"
    assert wrap("Focus of peer support", 12, 80, 3) == ["Focus of", "peer", "support"]
    assert wrap("Focus of peer support", 12, 80, 2) == ["Focus of", "peer suppo…"]
    assert wrap("", 12, 80) == [""]
