"""The worst inputs of issue 13 against a running gunicorn: each answered within 2 s
(refused or served), with /healthz answering meanwhile.

Run by hand (not part of the test suite), from the project root:

    .venv/bin/python bench/bench_hostile.py
    .venv/bin/python bench/bench_hostile.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

A fresh world in a temporary COSIGNE_DATA_DIR (SQLite there by default; with
--database-url a fresh PostgreSQL schema, dropped at the end): the schema by
``flask db upgrade``, an OPH drafter, a département partner (associé), a CUS in
negotiation. Then gunicorn serves it (2 sync workers, 30 s timeout, as ``make run``), a
thread asks /healthz every 100 ms, and the hostile requests are sent, two at a time
where the issue saw two at once. Printed: each request's status and wall time, then
/healthz's median, p95 and worst latency; the exit status is 1 when a request took 2 s
or more, got a 5xx, or /healthz waited 2 s or more.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The hostile files are the tests' own (tests/hostile.py): one generator for both.
from tests.hostile import docx_paragraphs, pdf_shared_stream, text_ops  # noqa: E402

BUDGET_S = 2.0
DRAFTER = ("redac@oph.test", "Rédactrice", "OPH Hostile")
PARTNER = ("asso@dep.test", "Associé", "Département Hostile")
PASSWORD = "motdepasse-hostile"


# --- hostile files --------------------------------------------------------------------------


def wide_table(columns: int) -> str:
    return "|" + "a|" * columns + "\n|" + "-|" * columns + "\n|" + "b|" * columns


# --- the world and the server ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed(env: dict[str, str]) -> dict[str, object]:
    """Users, a CUS in negotiation with one written section, API tokens (in a child
    process, so that this one holds no connection to the database gunicorn serves)."""
    script = f"""
import json
from app import create_app
from app.accounts.operations import create_api_token, create_user
from app.conventions.operations import create_convention, set_membership
from app.db import db_session, write_transaction
from app.models import Convention
from app.sections import queries
from app.sections.operations import save_revision
from workflows.conventions import ConventionKind, OrganisationKind
from workflows.lifecycle import ConventionState
from workflows.permissions import Role
app = create_app()
with app.app_context():
    drafter = create_user({DRAFTER[0]!r}, {DRAFTER[1]!r}, {PASSWORD!r}, {DRAFTER[2]!r}, OrganisationKind.OPH)
    partner = create_user({PARTNER[0]!r}, {PARTNER[1]!r}, {PASSWORD!r}, {PARTNER[2]!r}, OrganisationKind.DEPARTEMENT)
    convention = create_convention(drafter, ConventionKind.CUS, "CUS hostile", 2026)
    set_membership(convention.id, Role.ASSOCIE, organisation_id=partner.organisation_id)
    with write_transaction() as session:
        session.get(Convention, convention.id).state = ConventionState.NEGOCIATION
    sections = queries.sections_with_current(convention.id)
    save_revision(sections[0].id, drafter.id, 0, "Le texte de la section.", "v1")
    print(json.dumps({{
        "convention": convention.id,
        "section": sections[0].id,
        "section_2": sections[1].id,
        "section_3": sections[2].id,
        "section_4": sections[3].id,
        "title": sections[0].title,
        "drafter": create_api_token({DRAFTER[0]!r}),
        "partner": create_api_token({PARTNER[0]!r}),
    }}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@dataclass
class Result:
    label: str
    status: int
    seconds: float
    note: str = ""


class Health(threading.Thread):
    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base, self.samples, self.failures = base, [], 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            started = time.perf_counter()
            try:
                ok = requests.get(self.base + "/healthz", timeout=40).status_code == 200
            except requests.RequestException:
                ok = False
            self.samples.append(time.perf_counter() - started)
            self.failures += not ok
            self.stopping.wait(0.1)


def timed(label: str, method: str, url: str, **kwargs) -> Result:
    started = time.perf_counter()
    try:
        response = requests.request(method, url, timeout=60, **kwargs)
    except requests.RequestException as error:
        return Result(label, 0, time.perf_counter() - started, type(error).__name__)
    seconds = time.perf_counter() - started
    note = ""
    if response.headers.get("Content-Type", "").startswith("application/json"):
        try:
            note = str(response.json().get("error") or "")[:90]
        except ValueError:
            note = ""
    return Result(label, response.status_code, seconds, note)


def web_session(base: str, email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/login").text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    session.post(base + "/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    return session


def csrf(session: requests.Session, url: str) -> str:
    page = session.get(url).text
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def hostile(base: str, world: dict[str, object]) -> list[Result]:
    rng = random.Random(13)
    api = base + "/api"
    drafter = {"Authorization": f"Bearer {world['drafter']}"}
    partner = {"Authorization": f"Bearer {world['partner']}"}
    section, convention = world["section"], world["convention"]
    results: list[Result] = []

    def run(*calls) -> None:
        with ThreadPoolExecutor(len(calls)) as pool:
            results.extend(pool.map(lambda call: call(), calls))

    paragraphs = "p\n\n" * 330_000
    run(
        lambda: timed(
            "contribution of 330k paragraphs (associé)",
            "POST",
            f"{api}/sections/{section}/contributions",
            headers=partner,
            json={"base_revision": 1, "body": paragraphs},
        ),
        lambda: timed(
            "revision of 330k paragraphs (rédacteur)",
            "POST",
            f"{api}/sections/{world['section_2']}/revisions",
            headers=drafter,
            json={"base_revision": 0, "body": paragraphs},
        ),
    )
    run(
        lambda: timed(
            "revision '_*' x 499k",
            "POST",
            f"{api}/sections/{world['section_3']}/revisions",
            headers=drafter,
            json={"base_revision": 0, "body": "_*" * 499_000},
        ),
        lambda: timed(
            "revision: table of 100k columns",
            "POST",
            f"{api}/sections/{world['section_4']}/revisions",
            headers=drafter,
            json={"base_revision": 0, "body": wide_table(100_000)},
        ),
    )
    for endpoint in (
        f"/sections/{section}/revisions",
        "/assistant/ask",
        "/indicators/F.VI/compute",
        f"/conventions/{convention}/transition",
    ):
        results.append(
            timed(
                f"JSON '[' x 100k → {endpoint}",
                "POST",
                api + endpoint,
                headers={**drafter, "Content-Type": "application/json"},
                data="[" * 100_000,
            )
        )
    results.append(
        timed(
            "compute V1=1e308, V2=1e-308",
            "POST",
            f"{api}/indicators/F.VI/compute",
            headers={**drafter, "Content-Type": "application/json"},
            data='{"years": {"2025": {"V1": 1e308, "V2": 1e-308}}}',
        )
    )

    many = docx_paragraphs(str(world["title"]), 300_000, 40, rng.randrange(1 << 30))
    run(
        lambda: timed(
            f"import preview, 300k paragraphs ({len(many) / 1e6:.1f} MB)",
            "POST",
            f"{api}/conventions/{convention}/import.docx",
            headers=partner,
            data={"dry_run": "1"},
            files={"file": ("long.docx", many, "application/octet-stream")},
        ),
    )
    big = docx_paragraphs(str(world["title"]), 60_000, 400, rng.randrange(1 << 30))
    for number in range(5):
        results.append(
            timed(
                f"import preview {number + 1}/5 of {len(big) / 1e6:.0f} MB",
                "POST",
                f"{api}/conventions/{convention}/import.docx",
                headers=partner,
                data={"dry_run": "1"},
                files={"file": ("gros.docx", big, "application/octet-stream")},
            )
        )

    pages = pdf_shared_stream(2_900, text_ops(40))
    stream = pdf_shared_stream(1, text_ops(1_500_000))
    sessions = [web_session(base, DRAFTER[0]) for _ in range(2)]

    def upload(session: requests.Session, label: str, name: str, data: bytes) -> Result:
        token = csrf(session, base + "/kb/documents")
        return timed(
            label,
            "POST",
            base + "/kb/documents",
            data={"csrf_token": token, "kind": "guide", "status": "en_vigueur"},
            files={"file": (name, data, "application/pdf")},
            allow_redirects=False,
            cookies=session.cookies,
        )

    run(
        lambda: upload(
            sessions[0],
            f"PDF of 2,900 pages, one stream ({len(pages) / 1e3:.0f} KB)",
            "pages.pdf",
            pages,
        ),
        lambda: upload(
            sessions[1],
            f"PDF with a {len(text_ops(1_500_000)) / 1e6:.0f} MB stream ({len(stream) / 1e3:.0f} KB)",
            "flux.pdf",
            stream,
        ),
    )
    # What members then open: the pages a big body would have made slow.
    reader = sessions[0]
    for key in ("section", "section_2", "section_3", "section_4"):
        results.append(
            timed(
                f"section page afterwards ({key})",
                "GET",
                f"{base}/sections/{world[key]}",
                cookies=reader.cookies,
            )
        )
    results.append(timed("inbox afterwards", "GET", f"{base}/inbox", cookies=reader.cookies))
    results.append(
        timed(
            "export.docx afterwards",
            "GET",
            f"{api}/conventions/{convention}/export.docx?tracked=1&comments=1",
            headers=drafter,
        )
    )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (a fresh schema is used)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cosigne-hostile-"))
    env = {**os.environ, "COSIGNE_DATA_DIR": str(tmp)}
    cleanup = None
    if args.database_url:
        schema = f"cosigne_hostile_{secrets.token_hex(4)}"
        admin = create_engine(args.database_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        env["DATABASE_URL"] = (
            make_url(args.database_url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )

        def cleanup() -> None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))

    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'cosigne.db'}"
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    world = seed(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--timeout",
            "30",
            "--bind",
            f"127.0.0.1:{port}",
            "app:create_app()",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "gunicorn.log", "w"),  # noqa: SIM115
    )
    try:
        for _ in range(100):
            try:
                if requests.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        health = Health(base)
        health.start()
        results = hostile(base, world)
        health.stopping.set()
        health.join()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if cleanup:
            cleanup()
    width = max(len(r.label) for r in results)
    print(f"{'request':<{width}}  status  seconds  answer")
    for r in results:
        print(f"{r.label:<{width}}  {r.status:>6}  {r.seconds:7.2f}  {r.note}")
    samples = sorted(health.samples)
    p95 = samples[int(0.95 * (len(samples) - 1))]
    print(
        f"\n/healthz during the run: {len(samples)} requests, median {statistics.median(samples) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, worst {samples[-1] * 1000:.0f} ms, failures {health.failures}"
    )
    slow = [r for r in results if r.seconds >= BUDGET_S or r.status >= 500 or r.status == 0]
    timeouts = (tmp / "gunicorn.log").read_text().count("WORKER TIMEOUT")
    print(f"worker timeouts in gunicorn's log: {timeouts}")
    ok = not slow and samples[-1] < BUDGET_S and not health.failures and not timeouts
    print("all answered within 2 s" if ok else f"over budget or failed: {[r.label for r in slow]}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
