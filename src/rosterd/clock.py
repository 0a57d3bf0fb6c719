"""Time as Appwrite shows it: UTC, millisecond precision, `+00:00` offset."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, naive UTC, truncated to milliseconds as stored."""
    moment = datetime.now(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def to_wire(moment: datetime | None) -> str:
    """`YYYY-MM-DDTHH:MM:SS.mmm+00:00`, or `""` for no value."""
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    # isoformat rather than strftime: a page of users formats 175 of these.
    return moment.isoformat(timespec="milliseconds") + "+00:00"


def parse(text: str) -> datetime | None:
    """Parse an ISO 8601 date or date-time (`2024`, `2024-01`, `2024-01-02T03:04:05Z`...).

    Returns naive UTC, or None when the text is not a date-time we understand.
    """
    candidate = text.strip()
    if len(candidate) == 4 and candidate.isdigit():
        candidate += "-01-01"
    elif len(candidate) == 7 and candidate[4] == "-":
        candidate += "-01"
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
