"""The child process that reads uploads: a result comes back, a refusal comes back as it
is, a parse past its time is killed and one past its memory refused, both naming the
limit; a bug in the parse is no refusal."""

from __future__ import annotations

import os
import time

import pytest

from workflows.errors import InvalidInput
from workflows.sandbox import ParseFailed, ParseLimitExceeded, ProcessLimits, run


def _double(data: bytes) -> dict[str, object]:
    return {"pid": os.getpid(), "data": data * 2}


def _refuse(name: str) -> None:
    raise InvalidInput(f"« {name} » refusé.")


def _sleep(seconds: float, marker: str) -> None:
    time.sleep(seconds)
    with open(marker, "w") as handle:  # reached only when the child is not killed
        handle.write("awake")


def _spin() -> None:
    while True:
        pass


def _allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def _bug() -> None:
    raise KeyError("a bug")


def test_the_function_runs_in_another_process_and_its_result_comes_back():
    result = run(_double, b"ab", filename="a.docx")
    assert result["data"] == b"abab"
    assert result["pid"] != os.getpid()


def test_a_refusal_comes_back_as_it_is():
    with pytest.raises(InvalidInput, match="« x.pdf » refusé."):
        run(_refuse, "x.pdf", filename="x.pdf")


def test_a_parse_past_its_time_is_killed_and_the_limit_named(tmp_path):
    marker = tmp_path / "awake"
    with pytest.raises(ParseLimitExceeded) as refused:
        run(_sleep, 3.0, str(marker), limits=ProcessLimits(seconds=0.5), filename="lent.pdf")
    assert refused.value.status == 413
    assert "« lent.pdf » a dépassé la limite de 0,5 s" in refused.value.message
    time.sleep(3.2)
    assert not marker.exists()  # killed, not merely left behind


def test_a_parse_that_spins_is_killed_too():
    with pytest.raises(ParseLimitExceeded, match="limite de 0,5 s"):
        run(_spin, limits=ProcessLimits(seconds=0.5), filename="boucle.docx")


def test_a_parse_that_allocates_too_much_is_refused_naming_the_memory_limit():
    limits = ProcessLimits(seconds=10, memory_mb=64)
    assert run(_allocate, 16, limits=limits) == 16 * 1024 * 1024
    with pytest.raises(ParseLimitExceeded) as refused:
        run(_allocate, 256, limits=limits, filename="gros.docx")
    assert "« gros.docx » demande plus de 64 Mo de mémoire" in refused.value.message


def test_a_bug_in_the_parse_is_no_refusal_and_carries_the_traceback():
    with pytest.raises(ParseFailed, match="KeyError: 'a bug'"):
        run(_bug, filename="a.docx")
