"""The data bucket through S3: presigned POST/GET and HeadObject/GetObjectTagging."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from manabi_api.ports.files import StoredObject, UploadForm

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class S3FileStore:
    def __init__(self, client: Callable[[], S3Client], bucket: str) -> None:
        self._make_client = client
        self._client: S3Client | None = None
        self._bucket = bucket

    @property
    def client(self) -> S3Client:
        if self._client is None:  # created on first use: the API's cold start stays small
            self._client = self._make_client()
        return self._client

    def presign_upload(
        self, key: str, content_type: str, max_bytes: int, expires_seconds: int
    ) -> UploadForm:
        post = self.client.generate_presigned_post(
            Bucket=self._bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=expires_seconds,
        )
        return UploadForm(post["url"], {k: str(v) for k, v in post["fields"].items()})

    def inspect(self, key: str, version_id: str | None = None) -> StoredObject | None:
        version: dict[str, Any] = {} if version_id is None else {"VersionId": version_id}
        try:
            head = self.client.head_object(Bucket=self._bucket, Key=key, **version)
        except self.client.exceptions.ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code in {"404", "NoSuchKey", "NoSuchVersion"}:
                return None
            if code in {"403", "AccessDenied"} and version_id is None:
                return self._listed(key)
            raise
        found_version = head.get("VersionId")
        tag_version: dict[str, Any] = {} if found_version is None else {"VersionId": found_version}
        tagging = self.client.get_object_tagging(Bucket=self._bucket, Key=key, **tag_version)
        return StoredObject(
            head["ContentLength"],
            head.get("ContentType", ""),
            found_version,
            {t["Key"]: t["Value"] for t in tagging["TagSet"]},
        )

    def _listed(self, key: str) -> StoredObject | None:
        """The bucket policy denies reading objects without a CLEAN verdict (MP-AV-02), so an
        unscanned upload is described by its listing: size and version. Its content type was
        bound by the POST policy, which S3 enforces (the emulator does not, but it applies no
        bucket policy either, so HeadObject answers there)."""
        listing = self.client.list_object_versions(Bucket=self._bucket, Prefix=key, MaxKeys=10)
        for found in listing.get("Versions", []):
            if found.get("Key") == key and found.get("IsLatest"):
                return StoredObject(found.get("Size", 0), None, found.get("VersionId"), {})
        return None

    def presign_download(
        self, key: str, version_id: str | None, file_name: str, expires_seconds: int
    ) -> str:
        params: dict[str, Any] = {
            "Bucket": self._bucket,
            "Key": key,
            "ResponseContentDisposition": f"attachment; filename*=UTF-8''{quote(file_name)}",
        }
        if version_id is not None:
            params["VersionId"] = version_id
        return self.client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=expires_seconds
        )

    def discard(self, key: str, version_id: str | None) -> None:
        version: dict[str, Any] = {} if version_id is None else {"VersionId": version_id}
        self.client.delete_object(Bucket=self._bucket, Key=key, **version)

    def probe(self) -> None:
        self.client.head_bucket(Bucket=self._bucket)
