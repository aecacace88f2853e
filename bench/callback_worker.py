"""A `hotline worker` for the callbacks benchmark: the same RQ worker (with its scheduler) and
sweeper, reaching Prism through the official client with Prism's array gap worked around (see
tests/twilio_rest.py), and counting every REST call it makes per callback in Redis."""

from __future__ import annotations

import os
import sys

import redis
from rq import Queue, SimpleWorker, Worker

from callbacks import jobs
from callbacks.attempt import callback_of
from core.deps import connect
from core.settings import Settings
from core.telephony import OutboundCall, Telephony, TwilioTelephony
from tests.twilio_rest import RecordingHttpClient

REST_CALLS = "bench:callbacks:rest-calls"
"""Hash: callback id -> REST calls placed for it (more than 1 is a duplicate)."""


class CountingTelephony:
    """Twilio's REST API (Prism), counting calls placed per callback."""

    def __init__(self, inner: Telephony, client: redis.Redis) -> None:
        self.inner, self.redis = inner, client

    def place_call(self, call: OutboundCall) -> str:
        sid = self.inner.place_call(call)
        attempt = call.url.rsplit("attempt=", 1)[-1]
        self.redis.hincrby(REST_CALLS, callback_of(attempt), 1)
        return sid

    def redirect(self, call_sid: str, url: str) -> None:
        self.inner.redirect(call_sid, url)

    def send_sms(self, to: str, from_: str, body: str) -> str:
        return self.inner.send_sms(to, from_, body)


def prism_telephony(prism_url: str) -> jobs.TelephonyFactory:
    def build(settings: Settings, client: redis.Redis) -> Telephony:
        http = RecordingHttpClient(prism_url)
        return CountingTelephony(TwilioTelephony(settings.twilio_account_sid, "token",
                                                 http_client=http), client)

    return build


def main(redis_url: str, prism_url: str, worker_class: str) -> None:
    os.environ["REDIS_URL"] = redis_url
    settings = Settings.from_env()
    factory = prism_telephony(prism_url)
    jobs.use_telephony(factory)
    connection = connect(redis_url)
    counting = factory(settings, connection)
    assert isinstance(counting, CountingTelephony)
    jobs.warm_up(counting.inner)
    jobs.start_sweeper(settings, redis_url)
    kind = SimpleWorker if worker_class == "simple" else Worker
    kind([Queue(jobs.QUEUE, connection=connection)], connection=connection,
         log_job_description=False).work(with_scheduler=True, logging_level="WARNING")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "fork")
