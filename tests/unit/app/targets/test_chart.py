"""The server-rendered chart of targets and achieved values: accessible SVG, escaped,
one marker per value."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from markupsafe import Markup

from app.targets.chart import Series, _ticks, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def _chart(**overrides):
    arguments = {
        "chart_id": "graphique-1",
        "title": "G.III — Plans d'apurement <script>alert(1)</script> & co",
        "unit": "Unité : %",
        "years": [2025, 2026, 2027, 2028, 2029, 2030],
        "series": [
            Series("Cible", {2025: 15.0, 2026: 20.0, 2027: 25.0}, "serie-cible", "#1f4fa3", True),
            Series("Réalisé", {2025: 10.0, 2027: 30.0}, "serie-realise", "#a34a00", square=True),
        ],
        "shown": lambda v: f"{v:.1f} %",
    }
    arguments.update(overrides)
    return line_chart(**arguments)


def test_chart_is_accessible_svg_marked_safe_once_built():
    svg = _chart()
    assert isinstance(svg, Markup)
    root = ET.fromstring(str(svg))  # well-formed XML
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "graphique-1-titre graphique-1-desc"
    assert root.find(f"{SVG}title").text == (
        "G.III — Plans d'apurement <script>alert(1)</script> & co"
    )
    desc = root.find(f"{SVG}desc").text
    assert "Cible : 2025 : 15.0 % ; 2026 : 20.0 % ; 2027 : 25.0 %" in desc
    assert "Réalisé : 2025 : 10.0 % ; 2027 : 30.0 %" in desc
    texts = list(root.iter(f"{SVG}text"))
    years = [t.text for t in texts if t.get("class") == "annee"]
    assert years == [str(y) for y in range(2025, 2031)]
    assert [t.text for t in texts if t.get("class") == "graduation"] == ["0", "10", "20", "30"]
    assert "Unité : %" in [t.text for t in texts]


def test_chart_escapes_every_text():
    svg = str(_chart(chart_id='x" onload="alert(1)', unit="<b>%</b>"))
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in svg
    assert 'id="x&quot; onload=&quot;alert(1)"' in svg
    assert ET.fromstring(svg).get("id") == 'x" onload="alert(1)'


def _points(root, tag):
    return [m for m in root.findall(f"{SVG}{tag}") if m.get("class", "").startswith("point ")]


def test_one_marker_per_value_and_lines_broken_at_missing_years():
    root = ET.fromstring(str(_chart()))
    assert len(_points(root, "circle")) == 3  # three targets
    assert len(_points(root, "rect")) == 2  # two achieved values
    legend = [m for m in root if m.get("class", "").startswith("legende")]
    assert [m.tag for m in legend] == [f"{SVG}circle", f"{SVG}rect"]
    paths = {p.get("class"): p.get("d") for p in root.findall(f"{SVG}path")}
    assert paths["serie-cible"].count("M") == 1 and paths["serie-cible"].count("L") == 2
    assert paths["serie-realise"].count("M") == 2 and "L" not in paths["serie-realise"]
    tips = [c.find(f"{SVG}title").text for c in _points(root, "rect")]
    assert tips == ["2025 — Réalisé : 10.0 %", "2027 — Réalisé : 30.0 %"]


def test_higher_values_are_drawn_higher_and_inside_the_plot():
    root = ET.fromstring(str(_chart()))
    ys = [float(c.get("cy")) for c in _points(root, "circle")]
    assert ys[0] > ys[1] > ys[2]  # 15 < 20 < 25: SVG's y grows downwards
    height = float(root.get("height"))
    assert all(0 < y < height for y in ys)


def test_chart_without_values_and_qualitative_ticks():
    empty = ET.fromstring(str(_chart(series=[Series("Cible", {}, "serie-cible", "#000")])))
    assert "aucune valeur" in empty.find(f"{SVG}desc").text
    assert _points(empty, "circle") == [] and empty.findall(f"{SVG}path") == []
    yes_no = ET.fromstring(
        str(
            _chart(
                series=[Series("Cible", {2025: 1.0}, "serie-cible", "#000")],
                y_ticks=[(0.0, "NON"), (1.0, "OUI")],
            )
        )
    )
    labels = [t.text for t in yes_no.iter(f"{SVG}text")]
    assert "OUI" in labels and "NON" in labels


def test_ticks_are_round_and_cover_the_highest_value():
    assert _ticks(0) == [0.0, 1.0]
    assert _ticks(25) == [0, 10, 20, 30]
    assert _ticks(100) == [0, 50, 100]
    ticks = _ticks(3_600_000)
    assert ticks[-1] >= 3_600_000 and len(ticks) <= 6
