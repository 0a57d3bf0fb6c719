"""Abuse limits shared by every worker and host: counters in the database, or in Redis.

A limit counts attempts per key in fixed windows of `period` seconds.
"""

from __future__ import annotations

import time
from typing import Protocol

from rosterd.errors import ServerError
from rosterd.store import ratelimits as store
from rosterd.store.database import Database


class Counters(Protocol):
    def hit(self, key: str, period: int) -> int:
        """Count one attempt in the current window and return the window's count."""

    def clear(self, key: str, period: int) -> None:
        """Forget the key's attempts in the current window (after a success)."""

    def prune(self, period: int) -> int:
        """Drop what past windows left behind; how many counters."""


def _window(period: int) -> int:
    return int(time.time()) // period


class DatabaseCounters:
    def __init__(self, database: Database) -> None:
        self._database = database

    def prune(self, period: int) -> int:
        """Drop counters of past windows (Redis expires its own); how many."""
        window = _window(period)
        return self._database.delete_in_batches(
            lambda connection, batch: store.delete_before(connection, window, batch)
        )

    def hit(self, key: str, period: int) -> int:
        with self._database.write() as connection:
            return store.increment(connection, key, _window(period))

    def clear(self, key: str, period: int) -> None:
        with self._database.write() as connection:
            store.clear(connection, key)


class RedisCounters:
    def __init__(self, url: str) -> None:
        import redis  # only where Redis is configured: 3 MB the other workers do not carry

        self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._unavailable: type[Exception] = redis.RedisError

    def prune(self, period: int) -> int:
        """Nothing to do: every counter expires with its window."""
        return 0

    def hit(self, key: str, period: int) -> int:
        name = f"rosterd:limit:{key}:{_window(period)}"
        try:
            with self._redis.pipeline() as pipeline:
                pipeline.incr(name)
                pipeline.expire(name, period)
                hits, _ = pipeline.execute()
        except self._unavailable as error:
            raise ServerError("The rate-limit store is unavailable; try again shortly.") from error
        return int(hits)

    def clear(self, key: str, period: int) -> None:
        try:
            self._redis.delete(f"rosterd:limit:{key}:{_window(period)}")
        except self._unavailable as error:
            raise ServerError("The rate-limit store is unavailable; try again shortly.") from error


def counters(database: Database, redis_url: str) -> Counters:
    return RedisCounters(redis_url) if redis_url else DatabaseCounters(database)
