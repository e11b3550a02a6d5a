"""The editor's document (TipTap/ProseMirror JSON) to and from Markdown."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings

from tests.unit.workflows.text.authored import bodies
from workflows.errors import InvalidInput, TooLarge
from workflows.text.blocks import canonical, parse_markdown
from workflows.text.editor import MAX_DEPTH, MAX_NODES, from_editor, to_editor

PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KNOWN = {
    "doc", "paragraph", "heading", "bulletList", "orderedList", "listItem", "blockquote",
    "codeBlock", "horizontalRule", "hardBreak", "table", "tableRow", "tableHeader",
    "tableCell", "text",
}  # fmt: skip


def text(value: str, *marks: str, href: str | None = None) -> dict:
    node: dict = {"type": "text", "text": value}
    found = [{"type": m} for m in marks]
    if href is not None:
        found.append({"type": "link", "attrs": {"href": href, "target": "_blank"}})
    if found:
        node["marks"] = found
    return node


def paragraph(*content: dict) -> dict:
    return {"type": "paragraph", "content": list(content)}


def doc(*content: dict) -> dict:
    return {"type": "doc", "content": list(content)}


def walk(node: dict):
    yield node
    for child in node.get("content", []):
        yield from walk(child)


@PROPERTY
@given(bodies())
def test_editor_round_trip_is_the_canonical_text(body):
    document = to_editor(body)
    # What the browser sends back is JSON: the round trip goes through it.
    assert from_editor(json.loads(json.dumps(document))) == canonical(body)


@PROPERTY
@given(bodies())
def test_the_canonical_text_reads_as_the_body(body):
    # What the three guarantees of carry_edits stand on: the canonical form of a body as
    # authors write it reads as that body.
    assert parse_markdown(canonical(body)) == parse_markdown(body)


@PROPERTY
@given(bodies())
def test_documents_are_what_the_editor_accepts(body):
    for node in walk(to_editor(body)):
        assert node["type"] in KNOWN
        if node["type"] == "text":
            assert node["text"], "ProseMirror refuses empty text nodes"
        if node["type"] in ("bulletList", "orderedList"):
            assert node["content"] and all(i["type"] == "listItem" for i in node["content"])
        if node["type"] == "listItem":
            assert node["content"][0]["type"] == "paragraph"
        if node["type"] == "table":
            widths = {len(row["content"]) for row in node["content"]}
            assert len(widths) == 1, "rows of one width"


def test_every_construct_as_the_editor_sees_it():
    body = (
        "## Patrimoine\n\nUn **gras**, un *italique*, du ~~barré~~, du `code` et "
        "[un lien](https://exemple.fr/cus).\\\nAprès un saut de ligne.\n\n"
        "3. trois\n   - puce\n4. quatre\n\n| a | b |\n| --- | --- |\n| 1 |\n\n"
        "> citée\n\n```\nx = 1\n```\n\n---"
    )
    content = to_editor(body)["content"]
    assert [n["type"] for n in content] == [
        "heading", "paragraph", "orderedList", "table", "blockquote", "codeBlock",
        "horizontalRule",
    ]  # fmt: skip
    assert content[0]["attrs"] == {"level": 2}
    inline = content[1]["content"]
    assert {"type": "text", "text": "gras", "marks": [{"type": "bold"}]} in inline
    assert {"type": "hardBreak"} in inline
    link = next(n for n in inline if n.get("text") == "un lien")
    assert link["marks"] == [{"type": "link", "attrs": {"href": "https://exemple.fr/cus"}}]
    ordered = content[2]
    assert ordered["attrs"] == {"start": 3}
    assert ordered["content"][0]["content"][1]["type"] == "bulletList"
    header, row = content[3]["content"]
    assert [c["type"] for c in header["content"]] == ["tableHeader", "tableHeader"]
    assert [c["type"] for c in row["content"]] == ["tableCell", "tableCell"]
    assert from_editor(to_editor(body)) == canonical(body)


def test_an_empty_body_is_one_empty_paragraph():
    assert to_editor("") == {"type": "doc", "content": [{"type": "paragraph"}]}
    assert from_editor(to_editor("")) == ""


def test_what_the_editor_types_becomes_markdown():
    document = doc(
        {"type": "heading", "attrs": {"level": 1}, "content": [text("Objectifs")]},
        paragraph(
            text("Texte "), text("gras", "bold"), text(" et "), text("lien", href="https://a.fr")
        ),
        paragraph(),  # an empty line of the editor
        {
            "type": "bulletList",
            "content": [
                {
                    "type": "listItem",
                    "content": [
                        paragraph(text("un")),
                        {
                            "type": "orderedList",
                            "attrs": {"start": 1, "type": None},
                            "content": [{"type": "listItem", "content": [paragraph(text("sous"))]}],
                        },
                    ],
                },
                {"type": "listItem", "content": [paragraph(text("deux"))]},
            ],
        },
        {
            "type": "table",
            "content": [
                {
                    "type": "tableRow",
                    "content": [
                        {
                            "type": "tableHeader",
                            "attrs": {"colspan": 2, "rowspan": 1},
                            "content": [paragraph(text("Titre"))],
                        },
                    ],
                },
                {
                    "type": "tableRow",
                    "content": [
                        {
                            "type": "tableCell",
                            "content": [paragraph(text("a")), paragraph(text("b"))],
                        },
                        {"type": "tableCell", "content": [paragraph()]},
                    ],
                },
            ],
        },
        paragraph(text("fin"), {"type": "hardBreak"}),  # a break at the end breaks nothing
    )
    assert from_editor(document) == (
        "# Objectifs\n\nTexte **gras** et [lien](https://a.fr)\n\n"
        "- un\n  1. sous\n- deux\n\n"
        "| Titre |   |\n| --- | --- |\n| a b |   |\n\nfin"
    )


def test_unknown_marks_are_dropped_and_nodes_refused():
    underlined = doc(
        paragraph(text("souligné", "underline", "bold"), text(" couleur", "textStyle"))
    )
    assert from_editor(underlined) == "**souligné** couleur"
    for bad in (
        doc({"type": "image", "attrs": {"src": "x.png"}}),
        doc({"type": "mention", "attrs": {"id": 1}}),
        doc(text("au niveau d'un bloc")),
        doc(paragraph({"type": "paragraph"})),
        {"type": "paragraph"},
        doc({"content": []}),
        "doc",
        doc(paragraph({"type": "text"})),
        doc({"type": "heading", "attrs": {"level": "un"}}),
        doc({"type": "paragraph", "content": "texte"}),
        doc(paragraph(text("x") | {"marks": "bold"})),
    ):
        with pytest.raises(InvalidInput):
            from_editor(bad)


def test_depth_and_size_are_bounded():
    deep: dict = {"type": "paragraph", "content": [text("fond")]}
    for _ in range(MAX_DEPTH):
        deep = {"type": "blockquote", "content": [deep]}
    with pytest.raises(InvalidInput, match="imbriqué"):
        from_editor(doc(deep))
    wide = doc(*[paragraph(text("mot")) for _ in range(MAX_NODES // 2 + 1)])
    with pytest.raises(TooLarge):
        from_editor(wide)


def test_link_addresses_are_bounded_and_headings_clamped():
    long_link = doc(paragraph(text("lien", href="https://a.fr/" + "x" * 5000)))
    assert from_editor(long_link) == "lien"
    assert (
        from_editor(doc({"type": "heading", "attrs": {"level": 9}, "content": [text("t")]}))
        == "###### t"
    )
