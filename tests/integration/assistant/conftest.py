"""A small guide in the knowledge base, for the assistant to answer from."""

from __future__ import annotations

import pytest

from app.kb import operations as kb

GUIDE = """# Guide de la vacance

## La vacance technique

La vacance technique est notamment la vacance pour cause de réhabilitation en cours ou de
démolition projetée.

## Les signataires

La convention d'utilité sociale est signée par le préfet de région au nom de l'Etat.
"""


@pytest.fixture
def guide(app):
    with app.app_context():
        document, _created = kb.ingest(
            "guide-vacance.md", GUIDE.encode(), "guide", title="Guide de la vacance"
        )
        return document.id
