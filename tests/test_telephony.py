"""The phone network adapter: Twilio's REST API through the official client (against a mock
that serves Twilio's own OpenAPI description), and the simulator stand-in without Twilio."""

from __future__ import annotations

import json

import pytest
import redis

from core import keys
from core.settings import Settings
from core.telephony import (
    OutboundCall,
    SimulatedTelephony,
    TelephonyError,
    TwilioTelephony,
    telephony_for,
)
from tests.processes import free_port
from tests.twilio_rest import ACCOUNT_SID, RecordingHttpClient

CALL = OutboundCall(to="+14155550123", from_="+18005550100",
                    url="https://hotline.example/callbacks/answer?attempt=a1",
                    status_callback="https://hotline.example/callbacks/status?attempt=a1",
                    machine_detection=True, timeout=25)


def _twilio(url: str, account_sid: str = ACCOUNT_SID) -> tuple[TwilioTelephony,
                                                               RecordingHttpClient]:
    http = RecordingHttpClient(url)
    return TwilioTelephony(account_sid, "auth-token", http_client=http), http


def test_an_outbound_call_is_placed_as_twilio_expects_it(twilio_api: str) -> None:
    telephony, http = _twilio(twilio_api)
    call_sid = telephony.place_call(CALL)
    assert call_sid.startswith("CA")
    [sent] = http.sent
    assert (sent.method, sent.status) == ("POST", 201)
    assert sent.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"
    assert sent.form["To"] == CALL.to and sent.form["From"] == CALL.from_
    assert sent.form["Url"] == CALL.url and sent.form["StatusCallback"] == CALL.status_callback
    assert sent.form["MachineDetection"] == "Enable" and sent.form["Timeout"] == 25
    assert sent.form["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]


def test_a_live_call_is_redirected_and_an_sms_sent(twilio_api: str) -> None:
    telephony, http = _twilio(twilio_api)
    telephony.redirect("CA" + "2" * 32, "https://hotline.example/queues/connect")
    assert telephony.send_sms("+14155550123", "+18005550100", "See you at 9").startswith("SM")
    redirect, sms = http.sent
    assert redirect.path.endswith(f"/Calls/CA{'2' * 32}.json") and redirect.status == 200
    assert redirect.form["Url"] == "https://hotline.example/queues/connect"
    assert sms.path.endswith("/Messages.json") and sms.status == 201


def test_a_request_twilio_would_refuse_is_an_error_that_is_not_retried(twilio_api: str) -> None:
    telephony, _ = _twilio(twilio_api, account_sid="ACnot-a-valid-sid")
    with pytest.raises(TelephonyError) as refused:
        telephony.place_call(CALL)
    assert refused.value.status == 422 and not refused.value.retryable


def test_twilio_out_of_reach_is_an_error_worth_retrying() -> None:
    telephony, _ = _twilio(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(TelephonyError) as unreachable:
        telephony.redirect("CA" + "2" * 32, "https://hotline.example/queues/connect")
    assert unreachable.value.retryable and unreachable.value.operation == "redirect call"


def test_requests_never_go_anywhere_but_the_configured_api(twilio_api: str) -> None:
    http = RecordingHttpClient(twilio_api)
    with pytest.raises(TelephonyError):
        http.request("GET", "https://example.com/2010-04-01/Accounts.json")


def test_without_twilio_calls_and_redirects_are_left_for_the_simulator(
    redis_client: redis.Redis,
) -> None:
    telephony = telephony_for(Settings(), redis_client)
    assert isinstance(telephony, SimulatedTelephony)
    call_sid = telephony.place_call(CALL)
    telephony.redirect(call_sid, "https://hotline.example/queues/connect")
    [placed] = [json.loads(x) for x in redis_client.lrange(keys.simulated_calls(), 0, -1)]
    assert placed["call_sid"] == call_sid and placed["to"] == CALL.to
    assert placed["url"] == CALL.url and placed["machine_detection"] is True
    [moved] = redis_client.lrange(keys.simulated_redirects(call_sid), 0, -1)
    assert json.loads(moved)["url"] == "https://hotline.example/queues/connect"


def test_with_twilio_credentials_or_a_mock_url_the_rest_api_is_used(
    redis_client: redis.Redis, twilio_api: str,
) -> None:
    assert isinstance(telephony_for(Settings(twilio_api_base_url=twilio_api), redis_client),
                      TwilioTelephony)
    real = Settings(twilio_account_sid=ACCOUNT_SID, twilio_auth_token="real-token")
    assert isinstance(telephony_for(real, redis_client), TwilioTelephony)
