"""An uploaded document read whole, as the child process that reads uploads returns it
(``workflows.sandbox``): its blocks and its passages, plain values only."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.ingest.extract import extract
from knowledge.ingest.passages import split_passages
from knowledge.types import Block, Passage
from workflows.files import ContentLimits


@dataclass(frozen=True)
class Reading:
    blocks: list[Block]
    passages: list[Passage]


def read_upload(filename: str, data: bytes, limits: ContentLimits) -> Reading:
    """Extract (checks and content caps included) and cut into passages; raises
    FileRefused naming the file."""
    blocks = extract(filename, data, limits=limits)
    return Reading(blocks, split_passages(blocks))
