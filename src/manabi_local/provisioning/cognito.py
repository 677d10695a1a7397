"""AWS::Cognito::UserPool, UserPoolClient and UserPoolGroup: sign-in and the three groups."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from manabi_local.provisioning.rules import (
    Created,
    ProvisioningContext,
    TypeRules,
    existing,
    pick,
)
from manabi_local.template import Resource

_POOL_PASSED = frozenset(
    {
        "UserPoolName",
        "Policies",
        "Schema",
        "AliasAttributes",
        "UsernameAttributes",
        "UsernameConfiguration",
        "AutoVerifiedAttributes",
        "VerificationMessageTemplate",
        "EmailVerificationMessage",
        "EmailVerificationSubject",
        "SmsVerificationMessage",
        "SmsAuthenticationMessage",
        "AdminCreateUserConfig",
        "AccountRecoverySetting",
        "MfaConfiguration",
        "DeviceConfiguration",
        "UserAttributeUpdateSettings",
        "DeletionProtection",
        "UserPoolTags",
        "UserPoolTier",
    }
)
_POOL_IGNORED = {
    "LambdaConfig": "Cognito Lambda triggers never run in moto (docs/decisions/0020)",
    "SmsConfiguration": "no SMS locally (its IAM role has no local counterpart)",
    "EmailConfiguration": "no e-mail locally; moto accepts any confirmation code",
    "EnabledMfas": "demo accounts sign in without MFA locally",
    "UserPoolAddOns": "threat protection is cloud only",
    "WebAuthnRelyingPartyID": "passkeys are cloud only",
    "WebAuthnUserVerification": "passkeys are cloud only",
}


def _first_named(
    pages: Iterable[Mapping[str, Any]], items: str, name_key: str, id_key: str, name: str
) -> str | None:
    """The id of the first listed item called `name` (pools and clients are found by name)."""
    return next(
        (item[id_key] for page in pages for item in page[items] if item[name_key] == name), None
    )


def _user_pool(resource: Resource, props: dict[str, Any], ctx: ProvisioningContext) -> Created:
    name: str = props.pop("UserPoolName", None) or resource.logical_id
    cognito = ctx.clients.cognito
    pages = cognito.get_paginator("list_user_pools").paginate(PaginationConfig={"PageSize": 60})
    pool_id = _first_named(pages, "UserPools", "Name", "Id", name)
    if pool_id is not None:
        arn = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
    else:
        created = cognito.create_user_pool(PoolName=name, **props)["UserPool"]
        pool_id, arn = created["Id"], created["Arn"]
    provider = f"cognito-idp.{ctx.region}.amazonaws.com/{pool_id}"
    return Created(
        pool_id,
        {
            "Arn": arn,
            "ProviderName": provider,
            "ProviderURL": f"https://{provider}",
            "UserPoolId": pool_id,
        },
    )


_CLIENT_PASSED = frozenset(
    {
        "ClientName",
        "UserPoolId",
        "GenerateSecret",
        "RefreshTokenValidity",
        "AccessTokenValidity",
        "IdTokenValidity",
        "TokenValidityUnits",
        "ReadAttributes",
        "WriteAttributes",
        "ExplicitAuthFlows",
        "SupportedIdentityProviders",
        "CallbackURLs",
        "LogoutURLs",
        "DefaultRedirectURI",
        "AllowedOAuthFlows",
        "AllowedOAuthScopes",
        "AllowedOAuthFlowsUserPoolClient",
        "PreventUserExistenceErrors",
        "EnableTokenRevocation",
        "EnablePropagateAdditionalUserContextData",
        "AuthSessionValidity",
    }
)
_CLIENT_IGNORED = {
    "AnalyticsConfiguration": "Pinpoint analytics are cloud only",
    "RefreshTokenRotation": "not modelled by moto",
}
# Every Cognito user pool has these, whatever its Schema lists.
COGNITO_STANDARD_ATTRIBUTES = frozenset(
    {
        "address",
        "birthdate",
        "email",
        "email_verified",
        "family_name",
        "gender",
        "given_name",
        "locale",
        "middle_name",
        "name",
        "nickname",
        "phone_number",
        "phone_number_verified",
        "picture",
        "preferred_username",
        "profile",
        "updated_at",
        "website",
        "zoneinfo",
    }
)


def _user_pool_client(
    resource: Resource, props: dict[str, Any], ctx: ProvisioningContext
) -> Created:
    pool_id: str = props.pop("UserPoolId")
    name: str = props.pop("ClientName", None) or resource.logical_id
    cognito = ctx.clients.cognito
    pages = cognito.get_paginator("list_user_pool_clients").paginate(
        UserPoolId=pool_id, PaginationConfig={"PageSize": 60}
    )
    client_id = _first_named(pages, "UserPoolClients", "ClientName", "ClientId", name)
    if "ReadAttributes" not in props:
        # Cognito treats a client without ReadAttributes as reading every attribute, so the ID
        # token carries email, email_verified …; moto copies only the listed ones into the
        # token. Listing the pool's attributes keeps the cloud's token contents.
        pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
        custom = {
            a["Name"] for a in pool.get("SchemaAttributes", []) if a["Name"].startswith("custom:")
        }
        props["ReadAttributes"] = sorted(COGNITO_STANDARD_ATTRIBUTES | custom)
    if client_id is None:
        client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName=name, **props)[
            "UserPoolClient"
        ]["ClientId"]
    public = "false" if props.get("GenerateSecret") else "true"
    return Created(
        client_id, {"ClientId": client_id, "Name": name, "UserPoolId": pool_id, "Public": public}
    )


_GROUP_PASSED = frozenset({"GroupName", "UserPoolId", "Description", "Precedence"})
_GROUP_IGNORED = {"RoleArn": "moto does not enforce IAM; no identity pool locally"}


def _user_pool_group(
    resource: Resource, props: dict[str, Any], ctx: ProvisioningContext
) -> Created:
    name: str = props.get("GroupName") or resource.logical_id
    pool_id: str = props["UserPoolId"]
    cognito = ctx.clients.cognito
    group = existing(
        lambda: cognito.get_group(GroupName=name, UserPoolId=pool_id), "ResourceNotFoundException"
    )
    if group is None:
        extra = pick(props, "Description", "Precedence")
        if "Precedence" in extra:
            extra["Precedence"] = int(extra["Precedence"])
        cognito.create_group(GroupName=name, UserPoolId=pool_id, **extra)
    return Created(name, {"UserPoolId": pool_id})


RULES = {
    "AWS::Cognito::UserPool": TypeRules(_user_pool, _POOL_PASSED, _POOL_IGNORED),
    "AWS::Cognito::UserPoolClient": TypeRules(_user_pool_client, _CLIENT_PASSED, _CLIENT_IGNORED),
    "AWS::Cognito::UserPoolGroup": TypeRules(_user_pool_group, _GROUP_PASSED, _GROUP_IGNORED),
}
