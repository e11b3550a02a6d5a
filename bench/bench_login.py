"""Benchmark of the login's answer times: a wrong password for an existing account, an
unknown address, an inactive account, with the production hash (scrypt). The three
should take the same time, so that the time of an answer does not tell whether an
account exists (tests/integration/accounts/test_throttle.py checks the behaviour: one
hash check whatever the account).

Run by hand (not part of the test suite), from the project root:

    .venv/bin/python bench/bench_login.py
    .venv/bin/python bench/bench_login.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Same conventions as bench/bench_revisions.py (fresh database, test client, CSRF off for
the bench only, wall-clock milliseconds, median and p95). The throttle's free failures
are raised for the bench, which measures the hash, not the delays.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_revisions import fetch, record, run_bench, timed

from app.accounts.operations import create_user, set_user_active
from workflows.conventions import OrganisationKind

RUNS = 30


def run(app, _rng) -> None:
    app.config.update(LOGIN_FREE_FAILURES_PER_ACCOUNT=10**6, LOGIN_FREE_FAILURES_PER_ADDRESS=10**6)
    with app.app_context():
        create_user("actif@oph.test", "Actif", "secret-actif-1", "OPH", OrganisationKind.OPH)
        inactive = create_user(
            "inactif@oph.test", "Inactif", "secret-inactif-1", "OPH", OrganisationKind.OPH
        )
        set_user_active(inactive.id, False)
    client = app.test_client()
    cases = {
        "wrong password, existing account": ("actif@oph.test", "mauvais"),
        "unknown address": ("personne@nulle.part", "mauvais"),
        "right password, inactive account": ("inactif@oph.test", "secret-inactif-1"),
    }
    for label, (email, password) in cases.items():
        data = {"email": email, "password": password}
        fetch(client, "/login", 401, "POST", data=data)  # warm-up (the dummy hash is made once)
        samples = [timed(fetch, client, "/login", 401, "POST", data=data) for _ in range(RUNS)]
        record(f"login: {label}", samples)


def main() -> None:
    run_bench(run, "Cosigne login timing benchmark")


if __name__ == "__main__":
    main()
