"""Asking the assistant through the API and on its page."""

from __future__ import annotations

from tests.conftest import csrf_token


def ask(client, headers, **payload):
    return client.post("/api/assistant/ask", json=payload, headers=headers)


def post_question(client, question: str, **extra):
    data = {"question": question, "csrf_token": csrf_token(client, "/assistant"), **extra}
    return client.post("/assistant", data=data)
