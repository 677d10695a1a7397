"""MP-AV-02 in the cloud: an unscanned upload cannot be read (bucket policy), so completion
describes it by its listing; the POST policy already bound its type."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from manabi_api.adapters.s3_files import S3FileStore
from manabi_api.ports.files import StoredObject


class DeniedClient:
    class exceptions:
        ClientError = ClientError

    def head_object(self, **_: Any) -> Any:
        raise ClientError({"Error": {"Code": "403", "Message": "Forbidden"}}, "HeadObject")

    def list_object_versions(self, **kwargs: Any) -> Any:
        key = kwargs["Prefix"]
        return {
            "Versions": [
                {"Key": key + "x", "IsLatest": True, "Size": 1, "VersionId": "other"},
                {"Key": key, "IsLatest": False, "Size": 9, "VersionId": "old"},
                {"Key": key, "IsLatest": True, "Size": 42, "VersionId": "v2"},
            ]
        }


def test_mp_av_02_unreadable_upload_is_described_by_its_listing() -> None:
    store = S3FileStore(lambda: DeniedClient(), "bucket")  # type: ignore[arg-type, return-value]
    assert store.inspect("submissions/c/a/l/u") == StoredObject(42, None, "v2", {})
