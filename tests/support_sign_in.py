"""Signing in to the local Cognito (the emulator, or the Cognito front the SPA talks to) the way
the SPA does: USER_PASSWORD_AUTH with the app client. For tests that call the API with a token."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import requests

from manabi_local.emulator import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY
from manabi_local.seed import DEMO_PASSWORD


def cognito_client(endpoint: str) -> Any:
    """A Cognito client against the local endpoint, independent of the process environment."""
    return boto3.client(
        "cognito-idp",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
    )


def sign_in_tokens(
    endpoint: str, client_id: str, username: str, password: str = DEMO_PASSWORD
) -> dict[str, str]:
    """The ID, access and refresh tokens of a signed-in user (`id`, `access`, `refresh`)."""
    result = cognito_client(endpoint).initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )["AuthenticationResult"]
    return {
        "id": result["IdToken"],
        "access": result["AccessToken"],
        "refresh": result["RefreshToken"],
    }


def id_token(endpoint: str, client_id: str, username: str, password: str = DEMO_PASSWORD) -> str:
    """The ID token the API's authorizer takes (the SPA sends it as Authorization)."""
    return sign_in_tokens(endpoint, client_id, username, password)["id"]


def sign_up_confirmed(
    endpoint: str, client_id: str, web_url: str, email: str, name: str, password: str
) -> str:
    """A self sign-up as the SPA makes it (a generated username; e-mail and 氏名 as attributes),
    confirmed with the code from the local mailbox (`/_local/mailbox`). Returns the username."""
    username = str(uuid.uuid4())
    cognito = cognito_client(endpoint)
    cognito.sign_up(
        ClientId=client_id,
        Username=username,
        Password=password,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": name}],
    )
    mail = requests.get(f"{web_url}/_local/mailbox", params={"to": email}, timeout=10)
    mail.raise_for_status()
    code = mail.json()["messages"][-1]["code"]
    cognito.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=code)
    return username
