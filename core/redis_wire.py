"""Batches of Redis commands written straight to a connection of the calling thread: the hot
path of every webhook step (read the call, commit the step).

A redis-py pipeline spends more CPU per round trip on the connection pool, retries and command
objects than the round trip itself costs (docs/BENCHMARKS.md). Here a batch is packed by
hiredis, written at once on a connection the thread keeps for itself, and its replies read back
in order by redis-py's own connection (so AUTH, the database, TLS, timeouts and reply parsing
are exactly the client's). Everything else goes through the ordinary client.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import hiredis
import redis
from redis.connection import AbstractConnection
from redis.exceptions import ConnectionError, ResponseError

from core.sentinel import is_read_only

Command = tuple[str | bytes | int | float, ...]
"""One command and its arguments, e.g. `("HGET", key, field)`."""


class Wire:
    """Sends batches of commands over per-thread connections configured like `client`'s."""

    def __init__(self, client: redis.Redis) -> None:
        pool = client.connection_pool
        self._connection_class = pool.connection_class
        # A Sentinel-managed pool's kwargs carry the pool itself: its connections ask it where
        # the primary is whenever they connect (core.sentinel.PrimaryConnection).
        self._connection_kwargs = pool.connection_kwargs
        self._local = threading.local()
        self._open: set[AbstractConnection] = set()
        self._lock = threading.Lock()
        self._closes = 0

    def execute(self, commands: Sequence[Command]) -> list[Any]:
        """The replies to `commands`, in order, after one write and one read.

        An error reply is raised once every reply has been read, so the connection stays usable.
        """
        try:
            return self._on_own_connection(commands)
        except ConnectionError:
            # The thread's connection may have sat idle until Redis or a proxy closed it, or its
            # server may be the primary no more (a failover: it answered READONLY): one more
            # try on a new connection, made to wherever the primary is now. A batch that did
            # reach Redis is safe to repeat: reads are, and the step commit refuses a step it
            # has already stored.
            return self._on_own_connection(commands)

    def close(self) -> None:
        """Close every thread's connection; a later batch opens a new one."""
        with self._lock:
            self._closes += 1
            for connection in self._open:
                connection.disconnect()  # type: ignore[no-untyped-call]
            self._open.clear()

    def _on_own_connection(self, commands: Sequence[Command]) -> list[Any]:
        connection = self._connection()
        try:
            return _exchange(connection, commands)
        except ResponseError as reply:
            if not is_read_only(reply):
                raise
            self._drop(connection)
            raise ConnectionError("the primary has become a replica") from reply
        except BaseException:
            self._drop(connection)
            raise

    def _connection(self) -> AbstractConnection:
        local = self._local
        connection: AbstractConnection | None = getattr(local, "connection", None)
        # A forked child must not share its parent's socket.
        if connection is None or local.forks != _forks[0] or local.closes != self._closes:
            connection = self._connection_class(**self._connection_kwargs)
            with self._lock:
                self._open.add(connection)
            local.connection, local.forks, local.closes = connection, _forks[0], self._closes
        return connection

    def _drop(self, connection: AbstractConnection) -> None:
        connection.disconnect()  # type: ignore[no-untyped-call]
        self._local.connection = None
        with self._lock:
            self._open.discard(connection)


# Forks so far in this process's line: a connection made before the last fork is the parent's.
# Counted at fork rather than asking os.getpid() (a system call) on every batch.
_forks = [0]
os.register_at_fork(after_in_child=lambda: _forks.__setitem__(0, _forks[0] + 1))


def _exchange(connection: AbstractConnection, commands: Sequence[Command]) -> list[Any]:
    # hiredis's stub says a one-element tuple; it takes any number of arguments.
    packed = b"".join(hiredis.pack_command(command)  # type: ignore[arg-type]
                      for command in commands)
    try:
        connection.send_packed_command([packed], check_health=False)  # type: ignore[no-untyped-call]
        replies: list[Any] = []
        error: ResponseError | None = None
        for _ in commands:
            try:
                replies.append(connection.read_response())
            except ResponseError as reply:
                error = error or reply
                replies.append(reply)
    except BaseException:
        connection.disconnect()  # type: ignore[no-untyped-call]
        raise
    if error is not None:
        raise error
    return replies


def as_map(reply: Mapping[Any, Any] | Sequence[Any]) -> Mapping[Any, Any]:
    """A hash reply as a mapping: RESP3 gives one already, RESP2 a flat list of pairs."""
    if isinstance(reply, Mapping):
        return reply
    return dict(zip(reply[0::2], reply[1::2], strict=True))
