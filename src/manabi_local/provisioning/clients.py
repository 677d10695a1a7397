"""boto3 clients bound to the emulator, shared by the provisioner and the seed data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3

from manabi_local.emulator import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client


@dataclass
class EmulatorClients:
    """boto3 clients bound to the emulator; created once and shared (provisioner, seed).

    Creating them loads botocore's service models but opens no connection, so the run command
    builds them while the emulator is still booting.
    """

    endpoint: str

    def __post_init__(self) -> None:
        self.session = boto3.session.Session(
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
            region_name=REGION,
        )
        self.dynamodb: DynamoDBClient = self.session.client("dynamodb", endpoint_url=self.endpoint)
        self.s3: S3Client = self.session.client("s3", endpoint_url=self.endpoint)
        self.cognito: CognitoIdentityProviderClient = self.session.client(
            "cognito-idp", endpoint_url=self.endpoint
        )
        # No type stubs are installed for these three; they are typed as Any on purpose.
        self.sqs: Any = self.session.client("sqs", endpoint_url=self.endpoint)
        self.sns: Any = self.session.client("sns", endpoint_url=self.endpoint)
        self.kms: Any = self.session.client("kms", endpoint_url=self.endpoint)
