"""The walk over the template: classify, order by reference, create, and report what exists."""

from __future__ import annotations

import graphlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from manabi_contract.environment import TABLE_NAME, USER_POOL_ID
from manabi_contract.names import API_HANDLER
from manabi_local.emulator import ACCOUNT_ID, REGION
from manabi_local.provisioning.clients import EmulatorClients
from manabi_local.provisioning.registry import RULES
from manabi_local.provisioning.resource_types import NOT_EMULATED, Handling, classify
from manabi_local.provisioning.rules import ProvisioningContext, ProvisioningError, check_properties
from manabi_local.template import Resolver, Resource, Template, references


@dataclass(frozen=True)
class LocalResources:
    """Physical ids of the local resources and the API handler's environment."""

    endpoint: str
    region: str
    account_id: str
    table_name: str
    user_pool_id: str
    user_pool_client_id: str
    buckets: Mapping[str, str]  # logical id -> bucket name
    physical_ids: Mapping[str, str]  # logical id -> what Ref returns
    attributes: Mapping[tuple[str, str], str]  # (logical id, attribute) -> Fn::GetAtt value
    clients_by_pool: Mapping[str, tuple[str, ...]]  # user pool id -> its app client ids
    api_environment: Mapping[str, str]  # resolved Environment.Variables of the API function
    not_emulated: Mapping[str, str] = field(default_factory=dict)  # logical id -> reason

    def resolver(self) -> Resolver:
        return Resolver(
            region=self.region,
            account_id=self.account_id,
            physical_ids=dict(self.physical_ids),
            attributes=dict(self.attributes),
        )


def plan(template: Template) -> tuple[list[Resource], dict[str, str]]:
    """Classify every resource; return the ones to create (dependencies first) and the others.

    Raises UnknownResourceTypeError (unclassified type) or ProvisioningError (unhandled property)
    before anything is created, so a template the local mode does not understand leaves the
    emulator untouched.
    """
    to_create: dict[str, Resource] = {}
    skipped: dict[str, str] = {}
    for resource in template.resources():
        if classify(resource.logical_id, resource.type) is Handling.PROVISIONED:
            check_properties(resource, RULES[resource.type])
            to_create[resource.logical_id] = resource
        else:
            skipped[resource.logical_id] = NOT_EMULATED[resource.type]
    graph = {
        logical_id: {
            d
            for d in references(resource.properties) | set(resource.depends_on)
            if d in to_create and d != logical_id
        }
        for logical_id, resource in to_create.items()
    }
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        raise ProvisioningError(
            f"reference cycle between provisioned resources: {error.args[1]}"
        ) from None
    return [to_create[logical_id] for logical_id in order], skipped


def api_function(template: Template) -> Resource:
    """The API Lambda function: the one whose Handler is manabi_contract.names.API_HANDLER."""
    found = [
        f
        for f in template.of_type("AWS::Lambda::Function")
        if f.properties.get("Handler") == API_HANDLER
    ]
    if len(found) != 1:
        raise ProvisioningError(
            f"expected exactly one AWS::Lambda::Function with Handler {API_HANDLER}, "
            f"found {len(found)}"
        )
    return found[0]


def provision(
    template: Template,
    endpoint: str,
    *,
    web_origin: str,
    clients: EmulatorClients | None = None,
) -> LocalResources:
    """Create (or find) every PROVISIONED resource of `template` in the emulator at `endpoint`."""
    to_create, skipped = plan(template)
    function = api_function(template)
    ctx = ProvisioningContext(
        clients=clients or EmulatorClients(endpoint),
        resolver=Resolver(region=REGION, account_id=ACCOUNT_ID),
        web_origin=web_origin,
    )
    clients_by_pool: dict[str, list[str]] = {}
    public_clients: set[str] = set()
    for resource in to_create:
        rules = RULES[resource.type]
        # Ignored properties may refer to resources that have no local counterpart (log buckets,
        # IAM roles …); they are dropped before resolving so they cannot fail the resolution.
        passed = {k: v for k, v in resource.properties.items() if k not in rules.ignored}
        props = ctx.resolver.resolve(passed, resource.logical_id)
        created = rules.create(resource, props, ctx)
        ctx.resolver.physical_ids[resource.logical_id] = created.physical_id
        for attribute, value in created.attributes.items():
            ctx.resolver.attributes[(resource.logical_id, attribute)] = value
        if resource.type == "AWS::Cognito::UserPoolClient":
            pool = created.attributes["UserPoolId"]
            clients_by_pool.setdefault(pool, []).append(created.physical_id)
            if created.attributes["Public"] == "true":
                public_clients.add(created.physical_id)

    variables = function.properties.get("Environment", {}).get("Variables", {})
    environment = {
        key: str(ctx.resolver.resolve(value, f"{function.logical_id}.Environment.{key}"))
        for key, value in variables.items()
    }
    for required in (TABLE_NAME, USER_POOL_ID):
        if required not in environment:
            raise ProvisioningError(
                f"{function.logical_id} has no {required} in Environment.Variables"
            )
    pool_id = environment[USER_POOL_ID]
    # The SPA's client is the pool's first client without a secret (a browser cannot keep one).
    pool_clients = [c for c in clients_by_pool.get(pool_id, []) if c in public_clients]
    if not pool_clients:
        raise ProvisioningError(
            f"the template has no AWS::Cognito::UserPoolClient without a secret for {pool_id}"
        )
    return LocalResources(
        endpoint=endpoint,
        region=REGION,
        account_id=ACCOUNT_ID,
        table_name=environment[TABLE_NAME],
        user_pool_id=pool_id,
        user_pool_client_id=pool_clients[0],
        buckets={
            r.logical_id: ctx.resolver.physical_ids[r.logical_id]
            for r in to_create
            if r.type == "AWS::S3::Bucket"
        },
        physical_ids=dict(ctx.resolver.physical_ids),
        attributes=dict(ctx.resolver.attributes),
        clients_by_pool={pool: tuple(ids) for pool, ids in clients_by_pool.items()},
        api_environment=environment,
        not_emulated=skipped,
    )
