"""A convention always keeps an active drafter: no role change, removal or deactivation
may leave it with nobody to manage it. Two drafters giving up the role at once, with
real connections (one application context per thread, released together by a barrier):
the convention's row is locked, so the second sees what the first did and is refused.
Runs on SQLite (BEGIN IMMEDIATE) and, in the PostgreSQL series, on PostgreSQL."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from functools import partial

import pytest
from sqlalchemy import select

from app import access
from app.access import role_of
from app.accounts.operations import set_user_active
from app.conventions.operations import set_membership
from app.db import db_session
from app.models import Membership, User
from tests.conftest import logged_in, post_form
from tests.factories import make_user
from workflows.conventions import OrganisationKind
from workflows.errors import CosigneError
from workflows.permissions import Role

REFUSED = "n&#39;aurait plus aucun rédacteur actif"


def _add(client, convention_id: int, role: str, email: str = "", organisation_id: int = 0):
    return post_form(
        client,
        f"/conventions/{convention_id}/members/add",
        {
            "organisation_id": str(organisation_id) if organisation_id else "",
            "role": role,
            "user_email": email,
        },
    )


def _role(app, email: str, convention_id: int) -> Role | None:
    with app.app_context():
        user = db_session().scalar(select(User).where(User.email == email))
        return role_of(user, convention_id)


def _membership_id(app, convention_id: int, **where) -> int:
    with app.app_context():
        return db_session().scalar(
            select(Membership.id).where(
                Membership.convention_id == convention_id,
                *(getattr(Membership, k) == v for k, v in where.items()),
            )
        )


def test_the_last_drafter_cannot_make_themself_an_observer(app, world):
    client = logged_in(app, "redac@oph.test")
    response = _add(client, world.convention_id, "observateur", "redac@oph.test")
    assert response.status_code == 409
    assert f"« CUS test » {REFUSED}" in response.get_data(as_text=True)
    assert _role(app, "redac@oph.test", world.convention_id) is Role.REDACTEUR
    assert client.get(f"/conventions/{world.convention_id}/members").status_code == 200
    # With a colleague still drafting, the same change is allowed.
    with app.app_context():
        make_user("redac2@oph.test", "OPH Test", OrganisationKind.OPH)
    assert _add(client, world.convention_id, "observateur", "redac@oph.test").status_code == 302
    assert _role(app, "redac@oph.test", world.convention_id) is Role.OBSERVATEUR
    colleague = logged_in(app, "redac2@oph.test")
    response = _add(colleague, world.convention_id, "associe", "redac2@oph.test")
    assert response.status_code == 409 and REFUSED in response.get_data(as_text=True)
    assert _role(app, "redac2@oph.test", world.convention_id) is Role.REDACTEUR


def test_the_last_drafter_cannot_be_removed_or_demoted(app, world):
    drafter = logged_in(app, "redac@oph.test")
    cid = world.convention_id
    # A person of the département drafts too, then the office's drafter steps back.
    assert _add(drafter, cid, "redacteur", "asso@dep.test").status_code == 302
    assert _add(drafter, cid, "observateur", "redac@oph.test").status_code == 302
    last = logged_in(app, "asso@dep.test")
    personal = _membership_id(app, cid, user_id=world.users["associe"])
    response = post_form(last, f"/conventions/{cid}/members/{personal}/remove")
    assert response.status_code == 409 and REFUSED in response.get_data(as_text=True)
    assert _add(last, cid, "associe", "asso@dep.test").status_code == 409
    assert _role(app, "asso@dep.test", cid) is Role.REDACTEUR
    # Handing the role back first makes the same changes possible.
    observer = _membership_id(app, cid, user_id=world.users["redacteur"])
    assert post_form(last, f"/conventions/{cid}/members/{observer}/remove").status_code == 302
    assert _role(app, "redac@oph.test", cid) is Role.REDACTEUR
    assert post_form(last, f"/conventions/{cid}/members/{personal}/remove").status_code == 302


def test_an_organisation_that_holds_the_last_drafters_keeps_the_role(app, world):
    drafter = logged_in(app, "redac@oph.test")
    cid = world.convention_id
    with app.app_context():
        esh = db_session().get(User, world.users["outsider"]).organisation_id
    assert _add(drafter, cid, "redacteur", organisation_id=esh).status_code == 302
    assert _add(drafter, cid, "observateur", "redac@oph.test").status_code == 302
    other = logged_in(app, "autre@esh.test")
    assert _add(other, cid, "associe", organisation_id=esh).status_code == 409
    membership = _membership_id(app, cid, organisation_id=esh)
    assert post_form(other, f"/conventions/{cid}/members/{membership}/remove").status_code == 409
    assert _role(app, "autre@esh.test", cid) is Role.REDACTEUR


def test_the_last_drafter_s_account_cannot_be_deactivated(app, world):
    with app.app_context():
        make_user("root@cosigne.test", "Cosigne admin", OrganisationKind.AUTRE, is_admin=True)
    admin = logged_in(app, "root@cosigne.test")
    url = f"/admin/users/{world.users['redacteur']}/active"
    response = post_form(admin, url, {"active": "0"}, page="/admin/users")
    assert response.status_code == 409
    assert f"« CUS test » {REFUSED}" in response.get_data(as_text=True)
    assert logged_in(app, "redac@oph.test").get("/").status_code == 200  # still active
    with app.app_context():
        make_user("redac2@oph.test", "OPH Test", OrganisationKind.OPH)
    assert post_form(admin, url, {"active": "0"}, page="/admin/users").status_code == 302
    # Other accounts are deactivated as before.
    url = f"/admin/users/{world.users['signataire']}/active"
    assert post_form(admin, url, {"active": "0"}, page="/admin/users").status_code == 302


@pytest.fixture
def widened(monkeypatch) -> None:
    """Each change, once it has counted the drafters left after it, waits (a second at
    most) for the other before committing: without the lock on the convention, each
    would see the other drafter still there, and both would go through."""
    counted = threading.Barrier(2, timeout=1)
    count = access.drafters_of

    def drafters_of(session, convention_id):
        found = count(session, convention_id)
        local.calls = getattr(local, "calls", 0) + 1
        if local.calls == 2:  # before the change, then after it
            # Broken when the other is waiting for the lock, as it should.
            with contextlib.suppress(threading.BrokenBarrierError):
                counted.wait()
        return found

    local = threading.local()
    monkeypatch.setattr(access, "drafters_of", drafters_of)


def _race(app, steps: list[Callable[[], object]]) -> list[str]:
    barrier = threading.Barrier(len(steps))
    outcome = [""] * len(steps)

    def step_back(index: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                steps[index]()
                outcome[index] = "done"
            except CosigneError as refused:
                outcome[index] = f"{type(refused).__name__}: {refused}"
            except Exception as exc:  # reported as the test's failure
                outcome[index] = f"error: {exc!r}"

    threads = [threading.Thread(target=step_back, args=(k,)) for k in range(len(steps))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcome


@pytest.mark.parametrize("round_", range(2))
def test_the_last_two_drafters_stepping_back_at_once_leave_one(app, world, widened, round_):
    with app.app_context():
        make_user("redac2@oph.test", "OPH Test", OrganisationKind.OPH)
    emails = ["redac@oph.test", "redac2@oph.test"]
    outcome = _race(
        app,
        [
            partial(set_membership, world.convention_id, Role.OBSERVATEUR, user_email=email)
            for email in emails
        ],
    )
    assert sorted(outcome)[0].startswith("Conflict: « CUS test » n'aurait plus"), outcome
    assert sorted(outcome)[1] == "done", outcome
    roles = [_role(app, email, world.convention_id) for email in emails]
    assert sorted(roles) == [Role.OBSERVATEUR, Role.REDACTEUR]


@pytest.mark.parametrize("round_", range(2))
def test_the_last_two_drafters_deactivated_at_once_leave_one(app, world, widened, round_):
    with app.app_context():
        second = make_user("redac2@oph.test", "OPH Test", OrganisationKind.OPH).id
    drafters = [world.users["redacteur"], second]
    outcome = _race(app, [partial(set_user_active, user_id, False) for user_id in drafters])
    assert sorted(outcome)[0].startswith("Conflict: « CUS test » n'aurait plus"), outcome
    assert sorted(outcome)[1] == "done", outcome
    with app.app_context():
        assert sorted(db_session().get(User, i).active for i in drafters) == [False, True]
