"""Running a parser on an uploaded file in a child process, with a time and a memory limit.

A parser on a hostile file (a PDF whose pages share one huge content stream, a .docx of
300,000 paragraphs) can hold a CPU for minutes and take gigabytes: in a web worker that
is a worker killed by gunicorn and a 500. ``run`` calls a module-level function in a
child process of its own, from multiprocessing's 'forkserver' context: each child is
forked from a small server process that has the parsers imported (``preload``), never
from the web worker with its open database connections and threads. In the child,
RLIMIT_AS bounds the memory the parse may add and RLIMIT_CPU its processor time; the
parent waits at most ``seconds`` of wall time and kills the child past it. Arguments and
result cross by pickle: bytes and plain values in and out, no database rows, no Flask.

A refusal the function raises (a ``CosigneError``) comes back as it is; an overrun of
time or memory is refused naming the limit (``ParseLimitExceeded``, 413); any other
exception in the child is re-raised in the parent as ``ParseFailed`` with the child's
traceback (a bug: a 500, logged, never swallowed).

Plain Python, no web framework: the application passes its configured limits, and the
command line may use it as well as the web.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import resource
import signal
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from workflows.errors import CosigneError, TooLarge
from workflows.files import display_name

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_SECONDS = 10.0
DEFAULT_MEMORY_MB = 768

# 'forkserver': a child starts in a few milliseconds (forked from a server that has
# imported the parsers) and inherits nothing of the worker; 'spawn' would re-import the
# parsers on every upload, 'fork' would copy the worker's sockets and locks.
_CONTEXT = multiprocessing.get_context("forkserver")


class ParseLimitExceeded(TooLarge):
    """The parse ran past its time or memory limit; the message names the limit."""


class ParseFailed(RuntimeError):
    """The parse failed on something that is no refusal (a bug); holds the child's
    traceback."""


@dataclass(frozen=True)
class ProcessLimits:
    seconds: float = DEFAULT_SECONDS  # wall time, counted by the parent
    memory_mb: int = DEFAULT_MEMORY_MB  # address space the parse may add to the child's


def preload(modules: Iterable[str]) -> None:
    """Modules the fork server imports once, so that a child starts with the parsers
    loaded. Takes effect only before the first ``run`` of this process."""
    _CONTEXT.set_forkserver_preload(list(modules))


def warm_up() -> None:
    """Start the fork server now, in the background (it imports the preloaded parsers,
    about a second), so that the first upload does not wait for it."""
    threading.Thread(
        target=forkserver.ensure_running, name="forkserver-warm-up", daemon=True
    ).start()


def run(
    function: Callable[..., T],
    *args: Any,
    limits: ProcessLimits = ProcessLimits(),
    filename: str = "",
) -> T:
    """``function(*args)`` in a child process within ``limits``; ``filename`` names the
    file in the refusals."""
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(target=_child, args=(sender, function, args, limits), daemon=True)
    process.start()
    sender.close()
    message: tuple[str, Any] | None = None
    try:
        if receiver.poll(limits.seconds):
            try:
                message = receiver.recv()
            except EOFError:  # the child died without a word (a signal, a crash)
                message = None
        else:
            process.kill()
            raise _over_time(filename, limits)
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if message is None:
        code = process.exitcode
        if code == -signal.SIGXCPU:
            raise _over_time(filename, limits)
        if code == -signal.SIGKILL:  # the kernel's out-of-memory killer, most likely
            raise _over_memory(filename, limits)
        raise ParseFailed(f"the parse of {filename!r} ended without a result (exit code {code})")
    kind, value = message
    if kind == "ok":
        return value  # type: ignore[no-any-return]
    if kind == "refused":
        raise value
    if kind == "memory":
        raise _over_memory(filename, limits)
    log.error("parse of %r failed in its child process:\n%s", filename, value)
    raise ParseFailed(f"the parse of {filename!r} failed in its child process:\n{value}")


def _over_time(filename: str, limits: ProcessLimits) -> ParseLimitExceeded:
    seconds = f"{limits.seconds:g}".replace(".", ",")
    return ParseLimitExceeded(
        f"La lecture du fichier « {display_name(filename)} » a dépassé la limite de "
        f"{seconds} s : le fichier est refusé, rien n'a été enregistré."
    )


def _over_memory(filename: str, limits: ProcessLimits) -> ParseLimitExceeded:
    return ParseLimitExceeded(
        f"La lecture du fichier « {display_name(filename)} » demande plus de "
        f"{limits.memory_mb} Mo de mémoire (limite de lecture) : le fichier est refusé, "
        "rien n'a été enregistré."
    )


def _child(
    connection: Connection,
    function: Callable[..., Any],
    args: tuple[Any, ...],
    limits: ProcessLimits,
) -> None:
    message: tuple[str, Any]
    try:
        _set_limits(limits)
        message = ("ok", function(*args))
    except CosigneError as error:
        message = ("refused", error)
    except MemoryError:
        message = ("memory", None)
    except BaseException:  # everything else goes back to the parent, which raises it
        message = ("error", traceback.format_exc())
    try:
        connection.send(message)
    except MemoryError:  # pickling the result needed more than the limit
        connection.send(("memory", None))
    except Exception:  # a result that does not pickle: a bug of the caller
        connection.send(("error", traceback.format_exc()))
    finally:
        connection.close()


def _set_limits(limits: ProcessLimits) -> None:
    # The CPU limit is a second net under the parent's wall clock (SIGXCPU ends the
    # child); the memory limit counts from what the child already maps (the
    # interpreter and the preloaded parsers), so that it means "what the parse adds".
    cpu = max(1, math.ceil(limits.seconds)) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    memory = _mapped_bytes() + limits.memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        memory = min(memory, hard)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def _mapped_bytes() -> int:
    """The child's address space now (Linux: /proc/self/statm; elsewhere, none)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")
