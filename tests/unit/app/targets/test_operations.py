"""The values of a target table as entered: variables stored under their names, the
calculator's refusal naming the cell (app.targets.operations, without a database)."""

from __future__ import annotations

import pytest

from app.targets.operations import _computed
from knowledge.indicators.codes import get
from workflows.errors import InvalidInput


def test_variables_are_stored_under_their_names_as_numbers():
    stored, value = _computed(get("G.III"), {"v1": "30", "V2": "2 000,0", "V9": ""}, "D", 2025)
    assert stored == {"V1": 30.0, "V2": 2000.0}
    assert value == pytest.approx(1.5)
    stored, value = _computed(get("H.I"), {"V1": "oui"}, "Segment", 2025)
    assert stored == {"V1": 1.0} and value == 1.0
    stored, _ = _computed(get("H.III"), {"V1": 9, "v1.a": 4, "V1.b": "", "V2": 3}, "S", 2025)
    assert stored == {"V1": 9.0, "V1.a": 4.0, "V2": 3.0}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"V1": "30", "V2": "0"}, "division par zéro"),
        ({"V1": "-3", "V2": "200"}, "ne peut pas être négatif"),
        ({"V1": "30", "V2": ""}, "il manque V2"),
        ({"V1": "trente", "V2": "200"}, "doit être un nombre"),
        ({"V1": "30", "V2": "200", "V7": "1"}, "inconnue"),
    ],
)
def test_the_calculator_refusal_names_the_cell(variables, message):
    with pytest.raises(InvalidInput, match=message) as error:
        _computed(get("G.III"), variables, "Département Test", 2025)
    assert str(error.value).startswith("Valeur non enregistrée (G.III, Département Test, 2025)")
