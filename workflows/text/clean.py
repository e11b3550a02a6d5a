"""The characters no stored text may hold: those XML 1.0 forbids.

Every text Cosigne stores ends up in a Word document (the export writes bodies,
comments, names and the journal), and a .docx is XML: python-docx refuses a string
holding a character outside XML 1.0's ``Char`` production, and PostgreSQL refuses NUL
in any text. So they are dropped, silently, at the one boundary every stored text and
every value compared in a query goes through (``app.models.CleanString``): they are
never meant (a pasted terminal colour code, a stray form feed, a broken surrogate) and
nothing reads them.

Kept: tab, newline, carriage return, and the rest of Unicode, including C1 controls
and non-characters other than U+FFFE and U+FFFF, which XML 1.0 allows.
"""

from __future__ import annotations

import re

# XML 1.0, production 2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD]
# | [#x10000-#x10FFFF]. What is left out: C0 controls but tab, newline and carriage
# return; surrogates (only a lone one can reach a Python str); U+FFFE and U+FFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids."""
    return _FORBIDDEN.sub("", value)


def has_forbidden(value: str) -> bool:
    """Whether ``value`` holds a character XML 1.0 forbids."""
    return _FORBIDDEN.search(value) is not None
