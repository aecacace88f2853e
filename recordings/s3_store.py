"""The audio store in an S3-compatible bucket (AWS S3, MinIO, Ceph...), through boto3: the
optional `s3` extra. Credentials and region come from boto3's usual sources (AWS_* variables,
instance roles); names are checked as in the local store before any request is made."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from recordings.errors import NotStored
from recordings.storage import FILE_NAME, StoredFile, checked_name, media_type, stored_file


class S3Store:
    """Files as objects `<prefix><name>` in one bucket."""

    def __init__(self, client: Any, bucket: str, prefix: str = "recordings/") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def put(self, name: str, data: bytes) -> StoredFile:
        kept = stored_file(checked_name(name), data)
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + name, Body=data,
                               ContentType=media_type(name), Metadata={"sha256": kept.sha256})
        return kept

    def read(self, name: str) -> bytes:
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self.prefix + checked_name(name))
        except self.client.exceptions.NoSuchKey:
            raise NotStored(f"{name} is not stored") from None
        data: bytes = found["Body"].read()
        return data

    def delete(self, name: str) -> bool:
        key = self.prefix + checked_name(name)
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except self.client.exceptions.ClientError:
            return False
        self.client.delete_object(Bucket=self.bucket, Key=key)
        return True

    def older_than(self, cutoff: float) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                      Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                name = str(item["Key"])[len(self.prefix):]
                if FILE_NAME.fullmatch(name) and item["LastModified"].timestamp() < cutoff:
                    yield name


def s3_store(bucket: str, endpoint_url: str | None) -> S3Store:
    """The bucket `bucket` at `endpoint_url` (None: AWS itself)."""
    try:
        import boto3
    except ImportError:
        raise NotStored("HOTLINE_RECORDINGS_S3_BUCKET needs boto3: pip install "
                        "'hotline[s3]'") from None
    return S3Store(boto3.client("s3", endpoint_url=endpoint_url), bucket)
