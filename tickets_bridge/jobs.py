"""RQ entry points of the tickets bridge, enqueued by dotted path, and how they are enqueued."""

from __future__ import annotations

from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from core.clock import SystemClock
from core.deps import connect
from core.errors import ConfigError
from core.settings import Settings
from tickets_bridge.delivery import Deliverer
from tickets_bridge.helpdesk import Bridge, WebhookBridge
from tickets_bridge.schema import database_url, open_engine
from tickets_bridge.store import TicketStore
from tickets_bridge.zendesk import ZendeskBridge

QUEUE = "hotline"
DELIVER = "tickets_bridge.jobs.deliver_ticket"
DELIVERY_RETRY = Retry(max=12, interval=[10, 30, 60, 120, 300, 600, 900, 1800, 1800, 3600,
                                         3600, 3600])
"""About four hours of retries for each new change; the `hotline bridge` sweep meanwhile
tries every ticket with changes waiting once per sweep (`sweep_delivery`)."""


def configured_bridges(settings: Settings) -> dict[str, Bridge]:
    """The helpdesks this deployment mirrors tickets into, by name."""
    bridges: dict[str, Bridge] = {}
    if settings.helpdesk_webhook_url:
        if not settings.helpdesk_webhook_secret:
            raise ConfigError("HOTLINE_HELPDESK_WEBHOOK_SECRET: required with the webhook URL")
        bridges["webhook"] = WebhookBridge(settings.helpdesk_webhook_url,
                                           settings.helpdesk_webhook_secret,
                                           settings.delivery.timeout)
    if settings.zendesk_url:
        if not (settings.zendesk_email and settings.zendesk_token):
            raise ConfigError("ZENDESK_EMAIL and ZENDESK_API_TOKEN: required with ZENDESK_URL")
        bridges["zendesk"] = ZendeskBridge(settings.zendesk_url, settings.zendesk_email,
                                           settings.zendesk_token, settings.delivery.timeout)
    return bridges


def enqueue_delivery(queue: Queue, bridge: str, ticket_id: int,
                     retry: Retry = DELIVERY_RETRY) -> None:
    queue.enqueue(DELIVER, bridge, ticket_id, retry=retry)


def sweep_delivery(queue: Queue, bridge: str, ticket_id: int) -> bool:
    """Queue one attempt at the ticket's delivery for the sweep, unless the sweep's last one
    for it is still queued; whether it did. RQ does not retry the sweep's attempts (the next
    sweep is their retry), so a helpdesk down for hours costs one attempt per ticket and
    sweep, rather than another job with all its retries per ticket at every sweep."""
    job_id = f"hotline-delivery-sweep-{bridge}-{ticket_id}"
    try:
        status = Job.fetch(job_id, connection=queue.connection).get_status()
    except NoSuchJobError:
        status = None
    if status is JobStatus.QUEUED:
        return False
    # A started attempt may be a killed worker's, which RQ notices only once its heartbeat
    # runs out: queue another, under an id of its own so as not to overwrite that job.
    queue.enqueue(DELIVER, bridge, ticket_id,
                  job_id=None if status is JobStatus.STARTED else job_id)
    return True


def deliver_ticket(bridge: str, ticket_id: int) -> int:
    """Job: send the ticket's pending changes to `bridge`; raises (and RQ retries) on failure."""
    settings = Settings.from_env()
    if not settings.redis_url:
        raise ConfigError("REDIS_URL: the worker passes it to jobs")
    engine = open_engine(database_url(settings.database_url, settings.data_dir))
    client = connect(settings.redis_url)
    try:
        target = configured_bridges(settings)[bridge]
        deliverer = Deliverer(TicketStore(engine), client, SystemClock(),
                              settings.delivery.lock_seconds)
        return deliverer.deliver(target, ticket_id)
    finally:
        engine.dispose()
        client.close()
