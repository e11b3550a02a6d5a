"""The evaluation at two years: each indicator's achieved values against its yearly
targets; a shortfall explained by the organisme, then assessed by the State (whether it
is the organisme's doing); the report exported. No sanction follows a value by itself."""

from __future__ import annotations

import html
import io

import docx

from app.db import db_session
from app.models import EvaluationFinding, Event
from app.targets.operations import save_value
from tests.conftest import api_headers, logged_in, post_form
from tests.factories import add_member, make_user, set_state
from workflows.conventions import OrganisationKind
from workflows.evaluation import finding_anchor
from workflows.lifecycle import ConventionState
from workflows.permissions import Role

EXPLANATION = "La vacance a crû avec la démolition de la tour B, décidée avec l'EPCI."


def _values(app, world) -> None:
    """F.VI (vacancy, lower is better) in the Loiret: a target of 2,5 % in 2025 and 2026;
    achieved 4,0 % in 2025 (a shortfall), 2026 not entered; B.I met."""
    with app.app_context():
        drafter = world.user("redacteur")
        for year in (2025, 2026):
            save_value(
                world.convention_id,
                drafter,
                "F.VI",
                "Loiret",
                year,
                "cible",
                {"V1": 30, "V2": 1200},
            )
        set_state(world.convention_id, ConventionState.BILAN_2)
        save_value(
            world.convention_id, drafter, "F.VI", "Loiret", 2025, "realise", {"V1": 48, "V2": 1200}
        )


def _text(client, redirected) -> str:
    return html.unescape(client.get(redirected.headers["Location"]).get_data(as_text=True))


def _state_user(app, world):
    """A DDT agent, the convention's State signatory."""
    with app.app_context():
        agent = make_user("agent@ddt.test", "DDT Test", OrganisationKind.DDT)
        add_member(world.convention_id, Role.SIGNATAIRE, agent)


def test_a_shortfall_is_explained_then_assessed_and_reported(app, world):
    _values(app, world)
    _state_user(app, world)
    drafter = logged_in(app, "redac@oph.test")
    url = f"/conventions/{world.convention_id}/evaluations/2"
    page = html.unescape(drafter.get(url).get_data(as_text=True))
    assert "Années évaluées : 2025 à 2026" in page
    assert "F.VI (Loiret) : valeur réalisée à saisir pour 2026." in page
    assert "F.VI (Loiret) : écart à expliquer par l'organisme." in page
    assert "non atteint" in page
    # The convention's page leads to it.
    assert url in drafter.get(f"/conventions/{world.convention_id}").get_data(as_text=True)

    # An empty explanation is refused beside its field; nothing written.
    explain = f"{url}/explain"
    refused = post_form(drafter, explain, {"code": "F.VI", "scope": "Loiret", "explanation": " "})
    assert refused.headers["Location"].endswith("#" + finding_anchor("F.VI", "Loiret"))
    again = html.unescape(drafter.get(refused.headers["Location"]).get_data(as_text=True))
    assert 'aria-invalid="true"' in again and "Expliquez l'écart" in again
    with app.app_context():
        assert db_session().query(EvaluationFinding).count() == 0

    # The State cannot assess before the organisme is heard.
    agent = logged_in(app, "agent@ddt.test")
    assess = f"{url}/assess"
    early = post_form(
        agent,
        assess,
        {"code": "F.VI", "scope": "Loiret", "assessment": "imputable", "note": "Non."},
    )
    assert "L'organisme n'a pas encore expliqué" in _text(agent, early)

    ok = post_form(
        drafter, explain, {"code": "F.VI", "scope": "Loiret", "explanation": EXPLANATION}
    )
    assert ok.status_code == 303
    # A partner (associé) cannot explain for the organisme; the EPCI signatory (not a
    # State service) cannot assess.
    partner = logged_in(app, "asso@dep.test")
    assert (
        post_form(
            partner, explain, {"code": "F.VI", "scope": "Loiret", "explanation": "x"}
        ).status_code
        == 403
    )
    epci = logged_in(app, "sign@epci.test")
    assert (
        post_form(
            epci, assess, {"code": "F.VI", "scope": "Loiret", "assessment": "non_imputable"}
        ).status_code
        == 403
    )
    # Imputable without a reason: refused beside the reason.
    bare = post_form(agent, assess, {"code": "F.VI", "scope": "Loiret", "assessment": "imputable"})
    assert "Motivez l'imputation" in _text(agent, bare)
    done = post_form(
        agent,
        assess,
        {
            "code": "F.VI",
            "scope": "Loiret",
            "assessment": "non_imputable",
            "note": "Démolition prévue au plan stratégique.",
        },
    )
    assert done.status_code == 303
    with app.app_context():
        row = db_session().query(EvaluationFinding).one()
        assert (row.explanation, row.assessment) == (EXPLANATION, "non_imputable")
        assert db_session().query(Event).filter(Event.action == "evaluation").count() == 2

    page = html.unescape(drafter.get(url).get_data(as_text=True))
    assert EXPLANATION in page
    assert "Non imputable à l'organisme" in page
    assert "écart à expliquer" not in page

    report = drafter.get(f"{url}.docx")
    assert report.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(report.data)).paragraphs)
    assert "Évaluation à 2 ans" in text
    assert f"Explication de l'organisme : {EXPLANATION}" in text
    assert "Appréciation de l'État : Non imputable à l'organisme" in text
    assert "F.VI (Loiret) : valeur réalisée à saisir pour 2026." in text

    # A new explanation after the assessment is heard anew: the State assesses again.
    again = post_form(
        drafter,
        explain,
        {"code": "F.VI", "scope": "Loiret", "explanation": "La démolition a pris un an."},
    )
    assert again.status_code == 303
    with app.app_context():
        db_session().expire_all()
        row = db_session().query(EvaluationFinding).one()
        assert (row.assessment, row.assessed_by_id) == ("", None)
    page = html.unescape(drafter.get(url).get_data(as_text=True))
    assert "écart à apprécier par l'État" in page


def test_the_evaluation_opens_with_its_stage_and_closes_with_the_next(app, world):
    drafter = logged_in(app, "redac@oph.test")
    url = f"/conventions/{world.convention_id}/evaluations/2"
    assert drafter.get(url).status_code == 404  # still negotiated
    assert drafter.get(f"/conventions/{world.convention_id}/evaluations/3").status_code == 400
    _values(app, world)
    with app.app_context():
        set_state(world.convention_id, ConventionState.BILAN_4)
    page = html.unescape(drafter.get(url).get_data(as_text=True))
    assert "Ce rapport est clos" in page
    closed = post_form(
        drafter, f"{url}/explain", {"code": "F.VI", "scope": "Loiret", "explanation": EXPLANATION}
    )
    assert closed.status_code == 303
    with app.app_context():
        assert db_session().query(EvaluationFinding).count() == 0


def test_the_evaluation_api(app, world):
    _values(app, world)
    client, headers = app.test_client(), api_headers(app, "redac@oph.test")
    url = f"/api/conventions/{world.convention_id}/evaluations/2"
    data = client.get(url, headers=headers).get_json()
    assert data["evaluated_years"] == [2025, 2026]
    assert data["complete"] is False
    [finding] = data["findings"]
    assert (finding["code"], finding["shortfall"], finding["missing_years"]) == (
        "F.VI",
        True,
        [2026],
    )
    assert [y["status"] for y in finding["years"]] == ["ecart", "manquant"]
    # A met value needs no explanation.
    assert (
        client.post(
            f"{url}/explain",
            json={"code": "B.I", "scope": "Loiret", "explanation": "x"},
            headers=headers,
        ).status_code
        == 400
    )
    answer = client.post(
        f"{url}/explain",
        json={"code": "F.VI", "scope": "Loiret", "explanation": EXPLANATION},
        headers=headers,
    )
    assert answer.status_code == 200
    assert answer.get_json()["findings"][0]["explanation"] == EXPLANATION
    other = api_headers(app, "autre@esh.test")
    assert client.get(url, headers=other).status_code in (403, 404)


def test_each_scope_of_an_indicator_has_its_own_anchor_and_its_lacks_lead_there(app, world):
    """Two scopes of one indicator were one id on the page: a refusal on the second
    scope landed on the first one's form, and « Reste à compléter » linked nowhere."""
    _values(app, world)
    with app.app_context():
        drafter = world.user("redacteur")
        # Set back to drafting for the second scope's targets, then to the evaluation.
        set_state(world.convention_id, ConventionState.NEGOCIATION)
        for year in (2025, 2026):
            save_value(
                world.convention_id,
                drafter,
                "F.VI",
                "Loir-et-Cher",
                year,
                "cible",
                {"V1": 30, "V2": 1200},
            )
        set_state(world.convention_id, ConventionState.BILAN_2)
        save_value(
            world.convention_id,
            drafter,
            "F.VI",
            "Loir-et-Cher",
            2025,
            "realise",
            {"V1": 60, "V2": 1200},
        )
    drafter = logged_in(app, "redac@oph.test")
    url = f"/conventions/{world.convention_id}/evaluations/2"
    page = html.unescape(drafter.get(url).get_data(as_text=True))
    first, second = finding_anchor("F.VI", "Loiret"), finding_anchor("F.VI", "Loir-et-Cher")
    assert first != second
    assert page.count(f'id="{first}"') == 1 and page.count(f'id="{second}"') == 1
    assert f'<a href="#{second}">F.VI (Loir-et-Cher) : écart à expliquer' in page

    refused = post_form(
        drafter, f"{url}/explain", {"code": "F.VI", "scope": "Loir-et-Cher", "explanation": ""}
    )
    assert refused.headers["Location"].endswith("#" + second)
    again = html.unescape(drafter.get(refused.headers["Location"]).get_data(as_text=True))
    # The error is under the second scope's field, not the first's.
    section = again[again.index(f'id="{second}"') :]
    assert 'aria-invalid="true"' in section
    assert (
        'aria-invalid="true"'
        not in again[again.index(f'id="{first}"') : again.index(f'id="{second}"')]
    )
