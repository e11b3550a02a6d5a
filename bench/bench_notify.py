"""What telling people adds to an action: a convention of 30 members.

Run by hand (not part of the test suite), from the project root:

    .venv/bin/python bench/bench_notify.py
    .venv/bin/python bench/bench_notify.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Same conventions as bench/bench_revisions.py (fresh database, median and p95 in ms).
The convention has 30 members: 6 drafters of the OPH, 12 signatories' people (3
organisations) and 12 associés' (3 organisations). Measured:

1. ``notify`` itself, inside the transaction of the action and committed with it, to
   the 29 others: every reader wanting mail at once (29 notifications and 29 mails
   composed from their templates and written to the outbox), then every reader on a digest
   (29 notifications, no mail). The target (< 10 ms added, p95) is on these.
2. A whole decision (rejecting a contribution, through its operation) and a whole
   transition, with their notifications and with notifying switched off (the operation's
   ``notify`` replaced by a no-op), to see the difference within the real action.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_collab import PASSWORD
from bench_revisions import record, run_bench, timed

from app.accounts.operations import create_user
from app.contributions import operations as contributions
from app.conventions.operations import create_convention, set_membership
from app.db import db_session, write_transaction
from app.lifecycle import operations as lifecycle
from app.models import Convention, User
from app.notifications.operations import everyone, notify, set_preferences
from app.sections.operations import save_revision
from workflows.conventions import ConventionKind, OrganisationKind
from workflows.lifecycle import ConventionState
from workflows.notifications import Delivery, Kind
from workflows.permissions import Role

RUNS = 60


def _world() -> tuple[int, int, list[int], int]:
    drafters = [
        create_user(
            f"redac{i}@oph.bench", f"Rédacteur {i}", PASSWORD, "OPH Bench", OrganisationKind.OPH
        )
        for i in range(6)
    ]
    convention = create_convention(drafters[0], ConventionKind.CUS, "CUS bench", 2025)
    others = []
    for role, kind, prefix in (
        (Role.SIGNATAIRE, OrganisationKind.EPCI, "sign"),
        (Role.ASSOCIE, OrganisationKind.COMMUNE, "asso"),
    ):
        for org in range(3):
            people = [
                create_user(
                    f"{prefix}{org}-{i}@bench.test",
                    f"{prefix.title()} {org}-{i}",
                    PASSWORD,
                    f"{prefix.title()} organisation {org}",
                    kind,
                )
                for i in range(4)
            ]
            set_membership(convention.id, role, organisation_id=people[0].organisation_id)
            others += people
    with write_transaction() as session:
        section_id = session.get(Convention, convention.id).sections[0].id
        session.get(Convention, convention.id).state = ConventionState.NEGOCIATION
    save_revision(section_id, drafters[0].id, 0, "Texte de départ de la section.", "v1")
    return convention.id, section_id, [u.id for u in drafters + others], drafters[0].id


def _everyone_wants(user_ids: list[int], delivery: Delivery) -> None:
    for user_id in user_ids:
        set_preferences(user_id, dict.fromkeys(Kind, delivery))


def _notify_all(convention_id: int, actor_id: int) -> None:
    with write_transaction() as session:
        actor = session.get(User, actor_id)
        notify(
            session,
            Kind.TRANSITION,
            everyone(session, convention_id),
            "« CUS bench » : « Négociation » → « Association »",
            f"/conventions/{convention_id}",
            convention_id,
            actor,
        )


def _empty_transaction(actor_id: int) -> None:
    with write_transaction() as session:
        session.get(User, actor_id)


def run(app, _rng) -> None:
    with app.app_context():
        convention_id, section_id, user_ids, drafter_id = _world()
        assert len(user_ids) == 30
        for _ in range(5):  # warm the templates and the statements
            _notify_all(convention_id, drafter_id)
        base = [timed(_empty_transaction, drafter_id) for _ in range(RUNS)]
        record("0. an empty write transaction (baseline)", base)
        _everyone_wants(user_ids, Delivery.IMMEDIATE)
        record(
            "1a. notify 29 members, each mailed at once (incl. commit)",
            [timed(_notify_all, convention_id, drafter_id) for _ in range(RUNS)],
            10 + sorted(base)[len(base) // 2],
        )
        _everyone_wants(user_ids, Delivery.DAILY)
        record(
            "1b. notify 29 members, each on a digest (incl. commit)",
            [timed(_notify_all, convention_id, drafter_id) for _ in range(RUNS)],
            10 + sorted(base)[len(base) // 2],
        )
        _everyone_wants(user_ids, Delivery.IMMEDIATE)

        author = db_session().get(User, user_ids[-1])
        drafter = db_session().get(User, drafter_id)

        def reject_one() -> None:
            proposed = contributions.create_contribution(
                section_id, author, 1, "Texte de départ de la section, précisé.", "Pour voir."
            )
            start = timed(contributions.reject, proposed.id, drafter, "Non retenu.")
            samples.append(start)

        def transition_twice() -> None:
            samples.append(timed(lifecycle.transition, convention_id, drafter, "association"))
            samples.append(timed(lifecycle.transition, convention_id, drafter, "negociation"))

        for label, action, module in (
            ("2a. reject a contribution (its author told)", reject_one, contributions),
            ("2b. a transition (29 members told)", transition_twice, lifecycle),
        ):
            samples: list[float] = []
            for _ in range(RUNS // 2):
                action()
            record(label + ", with notifications", samples)
            original = module.notify
            module.notify = lambda *a, **k: []  # type: ignore[assignment]
            try:
                samples = []
                for _ in range(RUNS // 2):
                    action()
                record(label + ", notifying switched off", samples)
            finally:
                module.notify = original


def main() -> None:
    run_bench(run, "What notifying 30 members adds to an action")


if __name__ == "__main__":
    main()
