"""`flask --app app jobs worker|run-due`: the Huey consumer, and one synchronous round
of what the scheduler does (for a cron, debugging, the tests)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from app.jobs import tasks
from app.jobs.engine import huey


@click.group(
    "jobs",
    cls=AppGroup,
    help="Tâches de fond : envoi des e-mails, résumés, rappels, base documentaire.",
)
def jobs_group() -> None:
    pass


@jobs_group.command(
    "worker",
    help=(
        "Lance le consommateur de la file (Huey) : envoi des e-mails, balayage de la boîte "
        "d'envoi chaque minute, résumés et rappels d'échéance, ajouts de documents à la base "
        "documentaire et reconstruction de son index. Plusieurs workers peuvent "
        "tourner sur plusieurs machines ; les tâches planifiées ne partent qu'une fois."
    ),
)
@click.option("-w", "--workers", default=2, show_default=True, help="Fils d'exécution.")
@click.option(
    "--periodic/--no-periodic",
    default=True,
    show_default=True,
    help="Avec ou sans le planificateur (balayage, résumés, rappels).",
)
@click.option(
    "--max-delay",
    default=2.0,
    show_default=True,
    help="Attente maximale (s) entre deux lectures d'une file vide (stockage SQLite).",
)
def worker(workers: int, periodic: bool, max_delay: float) -> None:
    if workers < 1:
        raise click.BadParameter("au moins 1", param_hint="--workers")
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(process)d: %(message)s"
    )
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    tasks.bind(app)
    if not app.config.get("SMTP_HOST"):
        click.echo(
            "Aucun serveur SMTP (COSIGNE_SMTP_HOST) : les e-mails restent dans la boîte "
            "d'envoi, visibles des administrateurs (/admin/outbox).",
            err=True,
        )
    consumer = huey.create_consumer(
        workers=workers,
        periodic=periodic,
        worker_type="thread",
        max_delay=max_delay,
        check_worker_health=True,
    )
    consumer.run()


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            "une date ISO 8601, par exemple 2026-12-07T07:05+01:00", param_hint="--now"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@jobs_group.command(
    "run-due",
    help=(
        "Fait tout de suite, une fois, ce que le planificateur fait : envoie les e-mails "
        "dus, les résumés de la période et les rappels d'échéance."
    ),
)
@click.option("--now", default=None, help="L'instant à considérer (ISO 8601 ; UTC sans fuseau).")
def run_due(now: str | None) -> None:
    due = tasks.run_due(_moment(now))
    mails = due.mails
    click.echo(
        f"E-mails : {mails.sent} envoyé(s), {mails.retried} à réessayer, "
        f"{mails.failed} en échec, {mails.kept} en attente d'un serveur SMTP."
    )
    click.echo(
        "Résumés : "
        + ", ".join(f"{count} {delivery}" for delivery, count in due.digests.items())
        + f" ; rappels d'échéance : {due.reminders}."
    )
    for error in mails.errors:
        click.echo(f"  {error}", err=True)
