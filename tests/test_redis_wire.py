"""The webhooks' direct Redis path: replies in order, error replies raised without losing the
connection's place, a new connection after Redis closed the old one, a fresh one per thread."""

from __future__ import annotations

import threading

import pytest
import redis
from redis.exceptions import ResponseError

from core.redis_wire import Wire, as_map
from core.session import CallSession, SessionStore


def test_a_batch_answers_in_order(redis_client: redis.Redis) -> None:
    redis_client.hset("h", mapping={"a": "1"})
    wire = Wire(redis_client)
    found, missing, value = wire.execute([("HGETALL", "h"), ("HGET", "h", "zz"), ("INCR", "n")])
    assert as_map(found) == {b"a": b"1"}
    assert (missing, value) == (None, 1)


def test_an_error_reply_is_raised_after_the_whole_batch_is_read(redis_client: redis.Redis) -> None:
    redis_client.set("s", "text")
    wire = Wire(redis_client)
    with pytest.raises(ResponseError):
        wire.execute([("INCR", "s"), ("INCR", "n")])
    assert wire.execute([("GET", "n")]) == [b"1"]  # the connection is still in step


def test_a_connection_closed_by_redis_is_replaced(redis_client: redis.Redis) -> None:
    wire = Wire(redis_client)
    [first] = wire.execute([("CLIENT", "ID")])
    redis_client.client_kill_filter(_id=first)
    [second] = wire.execute([("CLIENT", "ID")])
    assert second != first


def test_a_closed_wire_lets_go_of_its_connection(redis_client: redis.Redis) -> None:
    wire = Wire(redis_client)
    [first] = wire.execute([("CLIENT", "ID")])
    wire.close()
    open_ids = {client["id"] for client in redis_client.client_list()}
    assert str(first) not in open_ids
    [second] = wire.execute([("CLIENT", "ID")])
    assert second != first


def test_each_thread_keeps_its_own_connection(redis_client: redis.Redis) -> None:
    wire = Wire(redis_client)
    ids: list[int] = []
    threads = [threading.Thread(target=lambda: ids.append(wire.execute([("CLIENT", "ID")])[0]))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 2


def test_a_step_commits_after_redis_forgot_the_script(redis_client: redis.Redis) -> None:
    store = SessionStore(redis_client, ttl=3600)
    redis_client.script_flush()
    assert store.commit(CallSession("CA1"), [], "incoming", "<Response/>")
    assert store.read("CA1", "incoming").answered == "<Response/>"
