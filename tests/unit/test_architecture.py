"""What the import contracts (pyproject.toml, run by `make test`) cannot say alone."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
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


def test_starting_the_application_does_not_load_langchain(tmp_path):
    # LangChain costs about a second at each process start (issue 13): a worker serving
    # pages and the command line load it only when a question is asked
    # (app.assistant.engine, imported by app.assistant.queries.assistant).
    probe = (
        "import sys\n"
        "from app import create_app\n"
        "application = create_app()\n"
        "with application.app_context():\n"
        "    names = application.cli.list_commands(None)\n"
        "    application.test_client().get('/healthz')\n"
        "assert 'assistant' in names, names\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith('langchain')}))\n"
    )
    environment = {**os.environ, "COSIGNE_DATA_DIR": str(tmp_path)}
    environment.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
