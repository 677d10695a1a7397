"""The parts of Cognito the emulator does not play, in front of its Cognito JSON API.

The SPA's `cognitoEndpoint` points here locally (`{web origin}/_local/cognito/`); every call is
forwarded to the emulator, and these Cognito behaviours are added around it
(docs/decisions/0020 lists what moto lacks):

- mail: SignUp, ResendConfirmationCode and ForgotPassword "send" the pool's own verification
  message (`検証コードは {####} です。`, subject `検証コード`) with a fresh six-digit code to the
  local mailbox (`GET /_local/mailbox`) instead of nobody;
- codes: ConfirmSignUp and ConfirmForgotPassword accept only the code last sent to that user
  (moto accepts any), CodeMismatchException otherwise, like Cognito;
- the PostConfirmation trigger: after ConfirmSignUp the trigger source of
  manabi_infra.constructs.auth runs in-process, so a new sign-up joins `learners`; the email is
  marked verified, as Cognito does for an auto-verified attribute confirmed by code;
- sign-in aliases and case-insensitive usernames (moto knows neither): a USERNAME that is not a
  username is resolved through a verified email, phone_number or preferred_username alias;
- a username in email format is refused when email is an alias, as Cognito does;
- PreventUserExistenceErrors: an unknown user at InitiateAuth gets the same
  NotAuthorizedException as a wrong password;
- the pool's region for every call: the SPA's calls are unsigned (Cognito's public operations
  need no credentials), and moto finds a region from the signature's credential scope only, so
  without one its region-bound operations (GlobalSignOut) looked in us-east-1 and refused.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from manabi_local.emulator import ACCESS_KEY_ID
from manabi_local.events import HttpRequest, HttpResponse
from manabi_local.mailbox import Mailbox, MailMessage
from manabi_local.post_confirmation import Trigger

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

logger = logging.getLogger("manabi_local.cognito")

COGNITO_PATH = "/_local/cognito/"
TARGET_PREFIX = "AWSCognitoIdentityProviderService."
DEFAULT_MESSAGE = "検証コードは {####} です。"
DEFAULT_SUBJECT = "検証コード"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_ALIAS_ATTRIBUTES = ("email", "phone_number", "preferred_username")

Forward = Callable[[str, bytes], tuple[int, bytes]]


def _forward_to(endpoint: str, region: str) -> Forward:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    # The emulator checks no signature; it reads the region from the credential scope.
    scope = f"{ACCESS_KEY_ID}/20000101/{region}/cognito-idp/aws4_request"
    authorization = f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0"

    def forward(target: str, body: bytes) -> tuple[int, bytes]:
        request = urllib.request.Request(  # noqa: S310 - the emulator's loopback URL
            endpoint,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": target,
                "Authorization": authorization,
            },
        )
        try:
            with opener.open(request, timeout=10.0) as response:
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as error:
            return int(error.code), bytes(error.read())

    return forward


def _error(status: int, code: str, message: str) -> HttpResponse:
    body = json.dumps({"__type": code, "message": message}).encode()
    return HttpResponse(
        status, [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)], body
    )


def _delivery(attributes: Mapping[str, str]) -> dict[str, str]:
    """CodeDeliveryDetails as Cognito masks them: "t***@e***"."""
    local, _, domain = attributes.get("email", "").partition("@")
    masked = f"{local[:1]}***@{domain[:1]}***" if domain else "***"
    return {"Destination": masked, "DeliveryMedium": "EMAIL", "AttributeName": "email"}


def _attributes(raw: Any) -> dict[str, str]:
    if not isinstance(raw, list):
        return {}
    return {str(a.get("Name")): str(a.get("Value")) for a in raw if isinstance(a, dict)}


class CognitoFront:
    def __init__(
        self,
        cognito: CognitoIdentityProviderClient,
        user_pool_id: str,
        mailbox: Mailbox,
        *,
        endpoint: str,
        trigger: Trigger | None = None,
        forward: Forward | None = None,
        new_code: Callable[[], str] = lambda: f"{secrets.randbelow(1_000_000):06d}",
    ) -> None:
        self.cognito = cognito
        self.user_pool_id = user_pool_id
        self.mailbox = mailbox
        self.trigger = trigger
        # A pool id is "{region}_{id}".
        self._forward = forward or _forward_to(endpoint, user_pool_id.split("_", 1)[0])
        self._new_code = new_code
        pool = cognito.describe_user_pool(UserPoolId=user_pool_id)["UserPool"]
        template: Mapping[str, Any] = pool.get("VerificationMessageTemplate", {})
        self.message = str(
            template.get("EmailMessage") or pool.get("EmailVerificationMessage") or DEFAULT_MESSAGE
        )
        self.subject = str(
            template.get("EmailSubject") or pool.get("EmailVerificationSubject") or DEFAULT_SUBJECT
        )
        self.aliases = tuple(pool.get("AliasAttributes", ()))
        self._hiding_clients: set[str] = set()
        for page in cognito.get_paginator("list_user_pool_clients").paginate(
            UserPoolId=user_pool_id
        ):
            for summary in page["UserPoolClients"]:
                client = cognito.describe_user_pool_client(
                    UserPoolId=user_pool_id, ClientId=summary["ClientId"]
                )["UserPoolClient"]
                if client.get("PreventUserExistenceErrors") == "ENABLED":
                    self._hiding_clients.add(summary["ClientId"])

    # --- users -----------------------------------------------------------------------------------

    def _users(self) -> list[Mapping[str, Any]]:
        return [
            user
            for page in self.cognito.get_paginator("list_users").paginate(
                UserPoolId=self.user_pool_id
            )
            for user in page["Users"]
        ]

    def resolve(self, name: str) -> tuple[str, dict[str, str]] | None:
        """Username and attributes of the user `name` signs in as (username, then aliases)."""
        if not name:
            return None
        users = self._users()
        for user in users:
            if str(user["Username"]).lower() == name.lower():
                return str(user["Username"]), _attributes(user.get("Attributes"))
        for user in users:
            attributes = _attributes(user.get("Attributes"))
            for alias in self.aliases:
                value = attributes.get(alias)
                verified = alias == "preferred_username" or (
                    attributes.get(f"{alias}_verified") == "true"
                )
                if value and verified and value.lower() == name.lower():
                    return str(user["Username"]), attributes
        return None

    # --- mail and codes --------------------------------------------------------------------------

    def _send(self, kind: str, username: str, attributes: Mapping[str, str]) -> None:
        email = attributes.get("email")
        if not email:
            return
        code = self._new_code()
        self.mailbox.remember_code(kind, username, code)
        self.mailbox.add(
            MailMessage(
                to=email,
                subject=self.subject,
                body=self.message.replace("{####}", code),
                code=code,
                kind=kind,
                username=username,
            )
        )

    def _code_matches(self, kind: str, username: str, code: Any) -> bool:
        expected = self.mailbox.code(kind, username)
        return (
            expected is not None
            and isinstance(code, str)
            and secrets.compare_digest(expected, code.strip())
        )

    def _forget_code(self, kind: str, username: str) -> None:
        self.mailbox.forget_code(kind, username)

    # --- the HTTP app ----------------------------------------------------------------------------

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponse(405, [("Allow", "POST")])
        target = request.header("X-Amz-Target") or ""
        operation = target.removeprefix(TARGET_PREFIX)
        try:
            payload = json.loads(request.body or b"{}")
            if not isinstance(payload, dict):
                raise ValueError("not an object")
        except ValueError:
            return _error(400, "SerializationException", "The request body is not a JSON object.")
        try:
            return self._handle(operation, target, payload)
        except ClientError as error:
            info = error.response.get("Error", {})
            code = str(info.get("Code", "InternalErrorException"))
            return _error(400, code, str(info.get("Message", "")) or code)

    def _pass(self, target: str, payload: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        status, body = self._forward(target, json.dumps(payload).encode())
        try:
            parsed = json.loads(body or b"{}")
        except ValueError:
            parsed = {}
        return status, parsed if isinstance(parsed, dict) else {}

    @staticmethod
    def _reply(status: int, body: Mapping[str, Any]) -> HttpResponse:
        headers = [("Content-Type", "application/x-amz-json-1.1")]
        if status >= 400 and "__type" in body:
            headers.append(("x-amzn-ErrorType", str(body["__type"])))
        return HttpResponse(status, headers, json.dumps(body, ensure_ascii=False).encode())

    def _handle(self, operation: str, target: str, payload: dict[str, Any]) -> HttpResponse:
        if operation == "SignUp":
            return self._sign_up(target, payload)
        if operation == "InitiateAuth":
            return self._initiate_auth(target, payload)
        if operation in {"ConfirmSignUp", "ResendConfirmationCode"}:
            return self._confirmation(operation, target, payload)
        if operation in {"ForgotPassword", "ConfirmForgotPassword"}:
            return self._forgot(operation, target, payload)
        return self._reply(*self._pass(target, payload))

    def _sign_up(self, target: str, payload: dict[str, Any]) -> HttpResponse:
        username = str(payload.get("Username", ""))
        if "email" in self.aliases and _EMAIL.match(username):
            return _error(
                400,
                "InvalidParameterException",
                "Username cannot be of email format, since user pool is configured for email "
                "alias.",
            )
        if self.resolve(username) is not None:
            return _error(400, "UsernameExistsException", "User already exists")
        status, body = self._pass(target, payload)
        if status == 200:
            self._send("sign-up", username, _attributes(payload.get("UserAttributes")))
        return self._reply(status, body)

    def _initiate_auth(self, target: str, payload: dict[str, Any]) -> HttpResponse:
        parameters = payload.get("AuthParameters")
        if payload.get("AuthFlow") == "USER_PASSWORD_AUTH" and isinstance(parameters, dict):
            found = self.resolve(str(parameters.get("USERNAME", "")))
            if found is not None:
                payload = {**payload, "AuthParameters": {**parameters, "USERNAME": found[0]}}
        status, body = self._pass(target, payload)
        if (
            status == 400
            and str(body.get("__type", "")).endswith("UserNotFoundException")
            and payload.get("ClientId") in self._hiding_clients
        ):
            return _error(400, "NotAuthorizedException", "Incorrect username or password.")
        return self._reply(status, body)

    def _confirmation(self, operation: str, target: str, payload: dict[str, Any]) -> HttpResponse:
        found = self.resolve(str(payload.get("Username", "")))
        if found is None:
            # Cognito without user existence errors would not say so either; moto answers.
            return self._reply(*self._pass(target, payload))
        username, attributes = found
        payload = {**payload, "Username": username}
        if operation == "ResendConfirmationCode":
            # Not implemented by moto: answered here, as Cognito answers it.
            user = self.cognito.admin_get_user(UserPoolId=self.user_pool_id, Username=username)
            if user.get("UserStatus") != "UNCONFIRMED":
                return _error(400, "InvalidParameterException", "User is already confirmed.")
            self._send("sign-up", username, attributes)
            return self._reply(200, {"CodeDeliveryDetails": _delivery(attributes)})
        if not self._code_matches("sign-up", username, payload.get("ConfirmationCode")):
            return _error(
                400,
                "CodeMismatchException",
                "Invalid verification code provided, please try again.",
            )
        status, body = self._pass(target, payload)
        if status != 200:
            return self._reply(status, body)
        self._forget_code("sign-up", username)
        if attributes.get("email"):
            self.cognito.admin_update_user_attributes(
                UserPoolId=self.user_pool_id,
                Username=username,
                UserAttributes=[{"Name": "email_verified", "Value": "true"}],
            )
        if self.trigger is not None:
            self.trigger(
                {
                    "version": "1",
                    "region": self.cognito.meta.region_name,
                    "userPoolId": self.user_pool_id,
                    "userName": username,
                    "triggerSource": "PostConfirmation_ConfirmSignUp",
                    "callerContext": {"clientId": payload.get("ClientId")},
                    "request": {"userAttributes": {**attributes, "email_verified": "true"}},
                    "response": {},
                },
                None,
            )
        return self._reply(status, body)

    def _forgot(self, operation: str, target: str, payload: dict[str, Any]) -> HttpResponse:
        found = self.resolve(str(payload.get("Username", "")))
        if found is None:
            if operation == "ForgotPassword" and payload.get("ClientId") in self._hiding_clients:
                # Cognito pretends to have sent a code rather than reveal the user is unknown.
                return self._reply(
                    200,
                    {
                        "CodeDeliveryDetails": {
                            "Destination": "***",
                            "DeliveryMedium": "EMAIL",
                            "AttributeName": "email",
                        }
                    },
                )
            return _error(400, "UserNotFoundException", "Username/client id combination not found.")
        username, attributes = found
        payload = {**payload, "Username": username}
        if operation == "ForgotPassword":
            status, body = self._pass(target, payload)
            if status == 200:
                self._send("forgot-password", username, attributes)
            return self._reply(status, body)
        if not self._code_matches("forgot-password", username, payload.get("ConfirmationCode")):
            return _error(
                400,
                "CodeMismatchException",
                "Invalid verification code provided, please try again.",
            )
        # moto's ConfirmForgotPassword skips the password policy; AdminSetUserPassword applies it
        # (InvalidPasswordException, as Cognito answers) and sets the same permanent password.
        self.cognito.admin_set_user_password(
            UserPoolId=self.user_pool_id,
            Username=username,
            Password=str(payload.get("Password", "")),
            Permanent=True,
        )
        self._forget_code("forgot-password", username)
        return self._reply(200, {})
