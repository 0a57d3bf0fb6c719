"""The activity log: every change to a user is recorded with who made it and from where."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a user, an API key, a guest (reference §8.1)."""

    type: str  # user | admin | guest | keyProject
    id: str
    email: str
    name: str
    ip: str = ""
    user_agent: str = ""
    mode: str = "default"
    #: The actor's user id when the actor is a user.
    user_id: str | None = None
    #: The user an impersonator acted as, recorded with the event.
    impersonated: str | None = None

    def as_user(self, user_id: str, email: str, name: str) -> Actor:
        """The same request, now attributed to the user it signed in."""
        return replace(self, type="user", id=user_id, email=email, name=name, user_id=user_id)


#: For changes made outside any request (the command line, tests, maintenance).
SYSTEM = Actor(type="system", id="system", email="", name="rosterd")


@dataclass(frozen=True)
class Entry:
    """One event about one user."""

    actor: Actor
    event: str
    user_id: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def resource(self) -> str:
        return f"user/{self.user_id}"
