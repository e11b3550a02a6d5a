"""What the import contracts (pyproject.toml, run by `make test`) cannot say alone."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.corpus import ROOT


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_postgres_search_backend_uses_sqlalchemy_core_only():
    # The contracts allow it `sqlalchemy` as a whole (they see external packages by their
    # top-level name only): the ORM stays out of knowledge/ all the same.
    backend = ROOT / "knowledge" / "search" / "backends" / "postgres.py"
    used = _imports(backend)
    assert any(module.startswith("sqlalchemy") for module in used)
    assert not [module for module in used if module.startswith("sqlalchemy.orm")]


def test_no_other_module_of_the_rules_or_the_knowledge_base_uses_sqlalchemy():
    users = [
        path.relative_to(ROOT).as_posix()
        for folder in ("workflows", "knowledge")
        for path in (ROOT / folder).rglob("*.py")
        if any(module.split(".")[0] == "sqlalchemy" for module in _imports(path))
    ]
    assert users == ["knowledge/search/backends/postgres.py"]
