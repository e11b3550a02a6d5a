"""Deadline reminders at 30 days, 7 days and when passed: each once, to those who have
something left to do for the deadline, with its e-mail at once (a deadline awaits)."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.db import db_session, write_transaction
from app.models import Convention, Membership, Notification, OutboxMail, Signature
from app.notifications import reminders
from tests.factories import add_member, make_user, set_state
from workflows.conventions import OrganisationKind
from workflows.lifecycle import ConventionState
from workflows.notifications import Kind
from workflows.permissions import Role

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2026, 6, 1)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=PARIS)


def _set_deadline(convention_id: int, key: str, due: date | None) -> None:
    with write_transaction() as session:
        setattr(session.get(Convention, convention_id), f"{key}_deadline", due)


def _told() -> list[tuple[int, str]]:
    session = db_session()
    session.rollback()
    return [
        (n.user_id, n.text)
        for n in session.scalars(
            select(Notification)
            .where(Notification.kind == Kind.DEADLINE.value)
            .order_by(Notification.id)
        )
    ]


def _sign(convention_id: int, organisation_id: int, recorder: int) -> None:
    with write_transaction() as session:
        membership = session.scalar(
            select(Membership).where(
                Membership.convention_id == convention_id,
                Membership.organisation_id == organisation_id,
            )
        )
        session.add(
            Signature(
                convention_id=convention_id,
                membership_id=membership.id,
                recorded_by_id=recorder,
                signed_on=TODAY,
            )
        )


def test_signature_reminders_reach_drafters_and_the_parties_yet_to_sign(app, world):
    with app.app_context():
        state = make_user("prefet@ddt.test", "DDT Test", OrganisationKind.DDT)
        add_member(world.convention_id, Role.SIGNATAIRE, state)
        set_state(world.convention_id, ConventionState.TRANSMISE)
        _sign(world.convention_id, state.organisation_id, world.users["redacteur"])
        _set_deadline(world.convention_id, "signature", TODAY + timedelta(days=20))

        assert reminders.run_due(_at(TODAY)) == 1
        told = _told()
        # The State signed: only the drafter and the EPCI, which has not, are reminded;
        # neither the associé nor the observateur (who did not choose it).
        assert sorted(uid for uid, _ in told) == sorted(
            [world.users["redacteur"], world.users["signataire"]]
        )
        assert {text for _, text in told} == {"Échéance dans 20 jours : Signature (21/06/2026)"}
        # Once per stage: the next days add nothing until the 7-day mark.
        assert reminders.run_due(_at(TODAY)) == 0
        assert reminders.run_due(_at(TODAY + timedelta(days=5))) == 0
        assert reminders.run_due(_at(TODAY + timedelta(days=14))) == 1
        assert _told()[-1][1] == "Échéance dans 6 jours : Signature (21/06/2026)"
        assert reminders.run_due(_at(TODAY + timedelta(days=20))) == 1
        assert _told()[-1][1] == "Échéance aujourd'hui : Signature"
        assert reminders.run_due(_at(TODAY + timedelta(days=25))) == 0
        assert len(_told()) == 6
        # A deadline awaits its readers: its e-mail is in the outbox already.
        mails = db_session().scalars(select(OutboxMail)).all()
        assert len(mails) == 6
        assert all(m.subject.startswith("[Cosigne · CUS test] Échéance") for m in mails)
        link = f"/conventions/{world.convention_id}#echeances"
        deadline = select(Notification).where(Notification.kind == Kind.DEADLINE.value)
        assert {n.link for n in db_session().scalars(deadline)} == {link}


def test_a_moved_deadline_is_reminded_anew_and_a_late_one_says_so(app, world):
    with app.app_context():
        set_state(world.convention_id, ConventionState.NEGOCIATION)
        _set_deadline(world.convention_id, "transmission", TODAY - timedelta(days=3))
        assert reminders.run_due(_at(TODAY)) == 1
        assert _told() == [
            (world.users["redacteur"], "Échéance dépassée : Transmission au préfet (29/05/2026)")
        ]
        _set_deadline(world.convention_id, "transmission", TODAY + timedelta(days=5))
        assert reminders.run_due(_at(TODAY)) == 1
        assert _told()[-1][1] == "Échéance dans 5 jours : Transmission au préfet (06/06/2026)"


def test_a_met_or_distant_deadline_reminds_nobody_and_association_reaches_the_associes(app, world):
    with app.app_context():
        # In negotiation, the association deadline is met: no reminder, even late.
        set_state(world.convention_id, ConventionState.NEGOCIATION)
        _set_deadline(world.convention_id, "association", TODAY - timedelta(days=1))
        _set_deadline(world.convention_id, "signature", TODAY + timedelta(days=60))
        assert reminders.run_due(_at(TODAY)) == 0
        set_state(world.convention_id, ConventionState.ASSOCIATION)
        assert reminders.run_due(_at(TODAY)) == 1
        assert sorted(uid for uid, _ in _told()) == sorted(
            [world.users["redacteur"], world.users["associe"]]
        )


def test_two_workers_racing_remind_each_person_once(app, world):
    with app.app_context():
        set_state(world.convention_id, ConventionState.NEGOCIATION)
        _set_deadline(world.convention_id, "transmission", TODAY + timedelta(days=7))
        _set_deadline(world.convention_id, "signature", TODAY + timedelta(days=30))
    runners = 4
    barrier = threading.Barrier(runners)
    results: list[object] = [None] * runners

    def run(index: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results[index] = reminders.run_due(_at(TODAY))
            except Exception as error:
                results[index] = repr(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(r for r in results if isinstance(r, int)) == 2, results
    assert all(isinstance(r, int) for r in results), results
    with app.app_context():
        told = _told()
        assert len(told) == len(set(told)) == 3  # drafter twice (two deadlines), EPCI once
