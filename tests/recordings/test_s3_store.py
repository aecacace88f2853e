"""The same audio store in an S3-compatible bucket: moto's S3 server on loopback stands in
for the service, reached over HTTP by boto3 as a real bucket would be."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from recordings.errors import NotStored
from recordings.jobs import audio_store
from recordings.retention import prune
from recordings.s3_store import S3Store
from tests.ivr_app import make_settings
from tests.processes import free_port

SID = "RE" + "cd" * 16
CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test",
               "region_name": "us-east-1"}


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def client(endpoint: str) -> Any:
    s3 = boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS)
    s3.create_bucket(Bucket="calls")
    yield s3
    for item in s3.list_objects_v2(Bucket="calls").get("Contents", []):
        s3.delete_object(Bucket="calls", Key=item["Key"])
    s3.delete_bucket(Bucket="calls")


def test_a_kept_file_reads_back_with_its_checksum(client: Any) -> None:
    store = S3Store(client, "calls")
    kept = store.put(f"{SID}.mp3", b"ID3 audio")
    assert kept.sha256 == hashlib.sha256(b"ID3 audio").hexdigest()
    assert store.read(f"{SID}.mp3") == b"ID3 audio"
    head = client.head_object(Bucket="calls", Key=f"recordings/{SID}.mp3")
    assert head["ContentType"] == "audio/mpeg" and head["Metadata"]["sha256"] == kept.sha256
    with pytest.raises(NotStored):
        store.read(f"{SID}.wav")


@pytest.mark.parametrize("name", ["../secret.wav", f"../{SID}.wav", "/etc/passwd",
                                  f"{SID}.wav/../../x", f"other/{SID}.wav"])
def test_no_name_reaches_another_key(client: Any, name: str) -> None:
    client.put_object(Bucket="calls", Key="secret.wav", Body=b"not yours")
    store = S3Store(client, "calls")
    with pytest.raises(NotStored):
        store.read(name)
    with pytest.raises(NotStored):
        store.put(name, b"overwrite")
    assert client.get_object(Bucket="calls", Key="secret.wav")["Body"].read() == b"not yours"


def test_retention_deletes_what_was_kept_before_the_cutoff(client: Any) -> None:
    store = S3Store(client, "calls")
    store.put(f"{SID}.wav", b"audio")
    client.put_object(Bucket="calls", Key="recordings/notes.txt", Body=b"not audio")
    an_hour_ago = time.time() - 3600
    assert list(store.older_than(an_hour_ago)) == []
    tomorrow = datetime.fromtimestamp(time.time() + 86400 + 60, UTC)
    assert prune(store, tomorrow, keep_days=1) == [f"{SID}.wav"]
    assert store.delete(f"{SID}.wav") is False
    assert [o["Key"] for o in client.list_objects_v2(Bucket="calls")["Contents"]] == [
        "recordings/notes.txt"]


def test_the_settings_choose_the_bucket(client: Any, endpoint: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # boto3 takes credentials from the environment, as a deployment gives them.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    store = audio_store(make_settings(recordings_s3_bucket="calls",
                                      recordings_s3_endpoint=endpoint))
    store.put(f"{SID}.wav", b"RIFF")
    assert client.get_object(Bucket="calls", Key=f"recordings/{SID}.wav")["Body"].read() == \
        b"RIFF"
