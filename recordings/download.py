"""Fetching a recording's audio from Twilio with the account's credentials.

The URL is built here from the account and a checked recording SID, on Twilio's API host or
the configured TWILIO_API_BASE_URL (its mock); a URL that arrived in a request is never
fetched, so a forged status callback cannot make a worker fetch someone else's server.
"""

from __future__ import annotations

from typing import Protocol

from requests import RequestException, Session
from twilio.http.http_client import TwilioHttpClient

from core.settings import Settings
from core.telephony import RECORDING_SID, REST_TIMEOUT
from recordings.errors import DownloadFailed

TWILIO_API = "https://api.twilio.com"

MAX_MEDIA_BYTES = 64 * 1024 * 1024
"""Larger than any voicemail or call Hotline records (an hour of 8 kHz WAV is 58 MB)."""


class MediaSource(Protocol):
    def fetch(self, recording_sid: str) -> bytes:
        """The recording's audio as WAV; DownloadFailed when it cannot be had."""
        ...


def media_url(api_base: str, account_sid: str, recording_sid: str) -> str:
    """Where Twilio serves the recording's WAV, under `api_base`."""
    if not RECORDING_SID.fullmatch(recording_sid):
        raise DownloadFailed(f"{recording_sid!r} is not a recording SID")
    return f"{api_base.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Recordings/" \
           f"{recording_sid}.wav"


class TwilioMedia:
    """Recordings' media from Twilio's REST API (or its mock), over the twilio client's
    pooled HTTP session, authenticated as the account."""

    def __init__(self, account_sid: str, auth_token: str, api_base: str | None = None) -> None:
        self.account_sid = account_sid
        self.auth = (account_sid, auth_token)
        self.api_base = api_base or TWILIO_API
        self.session: Session = TwilioHttpClient(timeout=REST_TIMEOUT).session or Session()

    def fetch(self, recording_sid: str) -> bytes:
        url = media_url(self.api_base, self.account_sid, recording_sid)
        try:
            response = self.session.get(url, auth=self.auth, timeout=REST_TIMEOUT, stream=True)
            with response:
                if response.status_code != 200:
                    raise DownloadFailed(f"{recording_sid}: HTTP {response.status_code}",
                                         response.status_code)
                return _read_capped(response.iter_content(64 * 1024), recording_sid)
        except RequestException as exc:
            raise DownloadFailed(f"{recording_sid}: {type(exc).__name__}") from None


def _read_capped(chunks: object, recording_sid: str) -> bytes:
    data = bytearray()
    for chunk in chunks:  # type: ignore[attr-defined]
        data += chunk
        if len(data) > MAX_MEDIA_BYTES:
            raise DownloadFailed(f"{recording_sid}: larger than {MAX_MEDIA_BYTES} bytes")
    return bytes(data)


def media_source(settings: Settings) -> TwilioMedia:
    return TwilioMedia(settings.twilio_account_sid, settings.twilio_auth_token,
                       settings.twilio_api_base_url)
