"""Audit records in SQL, written inside the transaction of the change they describe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rosterd.audit import Entry
from rosterd.store.lean import LeanInsert
from rosterd.store.tables import audit_logs


@dataclass(frozen=True)
class LogRow:
    event: str
    actor_type: str
    actor_id: str
    actor_email: str
    actor_name: str
    mode: str
    ip: str
    user_agent: str
    time: datetime
    data: dict[str, Any]


def entry_values(project_id: str, entry: Entry, now: datetime) -> dict[str, Any]:
    """The columns of the record of `entry`."""
    actor = entry.actor
    data = dict(entry.data)
    if actor.impersonated:
        data["impersonatedUserId"] = actor.impersonated
    return {
        "project_id": project_id,
        "user_id": entry.user_id,
        "event": entry.event,
        "resource": entry.resource,
        "actor_type": actor.type,
        "actor_id": actor.id,
        "actor_user_id": actor.user_id,
        "actor_email": actor.email[:320],
        "actor_name": actor.name[:128],
        "mode": actor.mode[:16],
        "ip": actor.ip[:45],
        "user_agent": actor.user_agent,
        "time": now,
        "data": data,
    }


def record(connection: Connection, project_id: str, entry: Entry, now: datetime) -> None:
    _INSERT.run(connection, entry_values(project_id, entry, now))


#: Built once, values given apart, run lean (see `rosterd.store.users._INSERT`).
_INSERT = LeanInsert(audit_logs.insert())


def _about(project_id: str, user_id: str) -> sa.ColumnElement[bool]:
    """Records of changes to the user, or made by the user."""
    return sa.and_(
        audit_logs.c.project_id == project_id,
        sa.or_(audit_logs.c.user_id == user_id, audit_logs.c.actor_user_id == user_id),
    )


def logs_about(
    connection: Connection, project_id: str, user_id: str, limit: int, offset: int
) -> list[LogRow]:
    query = (
        sa.select(*(audit_logs.c[name] for name in LogRow.__dataclass_fields__))
        .where(_about(project_id, user_id))
        .order_by(audit_logs.c.sequence.desc())
        .limit(limit)
        .offset(offset)
    )
    return [LogRow(**found) for found in connection.execute(query).mappings()]


def count_about(connection: Connection, project_id: str, user_id: str) -> int:
    query = sa.select(sa.func.count()).select_from(audit_logs).where(_about(project_id, user_id))
    return int(connection.execute(query).scalar_one())


def delete_older_than(connection: Connection, moment: datetime, batch: int) -> int:
    """Remove up to `batch` records from before `moment`; how many."""
    chosen = sa.select(audit_logs.c.sequence).where(audit_logs.c.time < moment).limit(batch)
    statement = audit_logs.delete().where(audit_logs.c.sequence.in_(chosen))
    return connection.execute(statement).rowcount
