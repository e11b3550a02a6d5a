"""The cache of rendered Markdown: a large text is rendered once, the cache stays within
its budget, dropping the least recently used first."""

from __future__ import annotations

from app import markdown
from app.markdown import RenderCache, render


def test_a_large_text_is_rendered_once_and_gives_the_same_html(monkeypatch):
    calls: list[str] = []
    real = markdown._render

    def counted(text: str) -> str:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(markdown, "_render", counted)
    monkeypatch.setattr(markdown, "cache", RenderCache(markdown.CACHE_BYTES))
    body = "\n\n".join(f"Le bailleur réhabilite **{k}** logements." for k in range(200))
    first, second = render(body), render(str(body))  # an equal text, not the same object
    assert first == second and "<strong>199</strong>" in first
    assert len(calls) == 1
    # A short text is rendered each time, a different text on its own.
    render("court")
    render("court")
    render(body + "\n\nEncore un paragraphe.")
    assert len(calls) == 4


def test_the_cache_keeps_within_its_budget_least_recently_used_out_first():
    cache = RenderCache(budget=10)
    cache.put(b"a", "aaaa")
    cache.put(b"b", "bbbb")
    assert cache.get(b"a") == "aaaa"  # now the most recently used
    cache.put(b"c", "cccc")  # 12 > 10: b goes, not a
    assert cache.get(b"b") is None and cache.get(b"a") == "aaaa" and cache.get(b"c") == "cccc"
    assert cache.size == 8
    cache.put(b"huge", "x" * 11)  # more than the whole budget: never kept
    assert cache.get(b"huge") is None and cache.size == 8
