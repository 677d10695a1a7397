"""The REST API as the template defines it: resource tree, methods, authorizers, CORS, errors.

Matching follows API Gateway: at every level a literal path part wins over `{param}`, which wins
over a greedy `{proxy+}`; a method falls back to ANY; a path or method that is not defined answers
403 "Missing Authentication Token".
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from manabi_local.template import Resolver, Template, TemplateError, references

# API Gateway's defaults for the gateway responses the local gateway produces.
DEFAULT_STATUS = {
    "UNAUTHORIZED": 401,
    "MISSING_AUTHENTICATION_TOKEN": 403,
    "ACCESS_DENIED": 403,
    "EXPIRED_TOKEN": 403,
    "INVALID_SIGNATURE": 403,
    "WAF_FILTERED": 403,
    "REQUEST_TOO_LARGE": 413,
    "THROTTLED": 429,
    "QUOTA_EXCEEDED": 429,
    "DEFAULT_4XX": 400,
    "INTEGRATION_TIMEOUT": 504,
    "DEFAULT_5XX": 500,
}
# The methods a REST API method can have; ANY stands for these, any other (TRACE, PROPFIND...)
# matches no method and gets MISSING_AUTHENTICATION_TOKEN, as API Gateway answers it.
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@dataclass(frozen=True)
class Authorizer:
    logical_id: str
    identity_header: str  # from IdentitySource "method.request.header.<Name>"
    user_pool_ids: tuple[str, ...]


@dataclass(frozen=True)
class MockResponse:
    """A MOCK integration's static answer (the CORS preflight methods CDK generates)."""

    status: int
    headers: Mapping[str, str]


@dataclass(frozen=True)
class Method:
    http_method: str
    authorization_type: str
    authorizer: Authorizer | None
    integration_type: str
    function_logical_id: str | None = None
    mock: MockResponse | None = None


@dataclass
class Node:
    path: str  # template resource path, e.g. "/courses/{courseId}"
    path_part: str
    logical_id: str
    children: list[Node] = field(default_factory=list)
    methods: dict[str, Method] = field(default_factory=dict)

    @property
    def greedy(self) -> bool:
        return self.path_part.startswith("{") and self.path_part.endswith("+}")

    @property
    def parameter(self) -> str | None:
        if self.path_part.startswith("{") and self.path_part.endswith("}"):
            return self.path_part[1:-1].removesuffix("+")
        return None


@dataclass(frozen=True)
class GatewayResponse:
    status: int
    headers: Mapping[str, str]
    template: str | None  # application/json response template


@dataclass(frozen=True)
class Match:
    node: Node
    method: Method
    path_parameters: dict[str, str]


@dataclass
class RouteTable:
    root: Node
    rest_api_id: str
    stage: str
    binary_media_types: tuple[str, ...] = ()
    gateway_responses: dict[str, GatewayResponse] = field(default_factory=dict)

    def find(self, path: str) -> tuple[Node, dict[str, str]] | None:
        """The resource that serves `path` (raw, percent-encoded) and its path parameters."""
        segments = [s for s in path.split("/") if s]
        return _walk(self.root, segments, {})

    def match(self, http_method: str, path: str) -> Match | None:
        found = self.find(path)
        if found is None:
            return None
        node, parameters = found
        wanted = http_method.upper()
        if wanted not in HTTP_METHODS:
            return None
        method = node.methods.get(wanted) or node.methods.get("ANY")
        if method is None:
            return None
        return Match(node, method, parameters)

    def gateway_response(self, response_type: str) -> GatewayResponse:
        """The template's gateway response for `response_type`, falling back like API Gateway."""
        status = DEFAULT_STATUS.get(response_type, 500)
        family = "DEFAULT_4XX" if status < 500 else "DEFAULT_5XX"
        specific = self.gateway_responses.get(response_type)
        default = self.gateway_responses.get(family)
        if specific is None and default is None:
            return GatewayResponse(status, {}, None)
        chosen = specific if specific is not None else default
        if chosen is None:  # unreachable; narrows the type
            return GatewayResponse(status, {}, None)
        headers = {**(default.headers if default else {}), **chosen.headers}
        return GatewayResponse(
            specific.status if specific and specific.status else status,
            headers,
            chosen.template,
        )


def _walk(
    node: Node, segments: list[str], parameters: dict[str, str]
) -> tuple[Node, dict[str, str]] | None:
    if not segments:
        return node, parameters
    head, rest = segments[0], segments[1:]
    # Literal first, then {param}, then {proxy+}: API Gateway's precedence.
    for child in node.children:
        if child.parameter is None and child.path_part == head:
            found = _walk(child, rest, parameters)
            if found:
                return found
    for child in node.children:
        name = child.parameter
        if name is not None and not child.greedy:
            found = _walk(child, rest, {**parameters, name: _decode(head)})
            if found:
                return found
    for child in node.children:
        name = child.parameter
        if name is not None and child.greedy:
            return child, {**parameters, name: _decode("/".join(segments))}
    return None


def _decode(segment: str) -> str:
    # REST APIs pass `path` percent-encoded as received but decode path parameters.
    return urllib.parse.unquote(segment)


def _literal(value: Any) -> str | None:
    """ "'text'" (a quoted static value in a mapping expression) -> "text"; otherwise None."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    return None


def _headers(parameters: Mapping[str, Any], prefix: str) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in parameters.items():
        text = _literal(value)
        if key.startswith(prefix) and text is not None:
            headers[key.removeprefix(prefix)] = text
    return headers


def build_route_table(template: Template, resolver: Resolver, api_function_id: str) -> RouteTable:
    """Read the single AWS::ApiGateway::RestApi of `template` into a RouteTable.

    `resolver` must know the user pools (authorizer ProviderARNs); `api_function_id` is the logical
    id of the function the local gateway runs in-process. A proxy method that integrates any other
    function is an error: the local gateway would have nothing to call.
    """
    apis = template.of_type("AWS::ApiGateway::RestApi")
    if len(apis) != 1:
        raise TemplateError(f"expected one AWS::ApiGateway::RestApi, found {len(apis)}")
    api = apis[0]
    root = Node(path="/", path_part="", logical_id=api.logical_id)
    nodes: dict[str, Node] = {}
    resources = {r.logical_id: r for r in template.of_type("AWS::ApiGateway::Resource")}

    def node_for(reference: Any) -> Node:
        target = next(iter(references(reference)), None)
        if target == api.logical_id:
            return root
        if target in nodes:
            return nodes[target]
        if target not in resources:
            raise TemplateError(f"unknown API resource reference {reference!r}")
        resource = resources[target]
        parent = node_for(resource.properties["ParentId"])
        part = resource.properties["PathPart"]
        node = Node(path=f"{parent.path.rstrip('/')}/{part}", path_part=part, logical_id=target)
        parent.children.append(node)
        nodes[target] = node
        return node

    for logical_id in resources:
        node_for({"Ref": logical_id})

    authorizers = {
        a.logical_id: _authorizer(a.logical_id, a.properties, resolver)
        for a in template.of_type("AWS::ApiGateway::Authorizer")
    }
    for method in template.of_type("AWS::ApiGateway::Method"):
        props = method.properties
        node = node_for(props["ResourceId"])
        http_method = str(props["HttpMethod"]).upper()
        node.methods[http_method] = _method(method.logical_id, props, authorizers, api_function_id)

    stages = template.of_type("AWS::ApiGateway::Stage")
    stage = str(stages[0].properties.get("StageName", "local")) if stages else "local"
    responses = {
        str(r.properties["ResponseType"]): GatewayResponse(
            status=int(r.properties.get("StatusCode", 0) or 0),
            headers=_headers(r.properties.get("ResponseParameters", {}), "gatewayresponse.header."),
            template=r.properties.get("ResponseTemplates", {}).get("application/json"),
        )
        for r in template.of_type("AWS::ApiGateway::GatewayResponse")
    }
    return RouteTable(
        root=root,
        rest_api_id=api.logical_id,
        stage=stage,
        binary_media_types=tuple(api.properties.get("BinaryMediaTypes", ())),
        gateway_responses=responses,
    )


def _authorizer(logical_id: str, props: Mapping[str, Any], resolver: Resolver) -> Authorizer:
    if props.get("Type") != "COGNITO_USER_POOLS":
        raise TemplateError(
            f"{logical_id}: authorizer type {props.get('Type')} is not supported locally"
        )
    source = str(props.get("IdentitySource", "method.request.header.Authorization"))
    arns = resolver.resolve(props.get("ProviderARNs", []), f"{logical_id}.ProviderARNs")
    return Authorizer(
        logical_id=logical_id,
        identity_header=source.removeprefix("method.request.header."),
        user_pool_ids=tuple(str(arn).rsplit("/", 1)[-1] for arn in arns),
    )


def _method(
    logical_id: str,
    props: Mapping[str, Any],
    authorizers: Mapping[str, Authorizer],
    api_function_id: str,
) -> Method:
    authorization = str(props.get("AuthorizationType", "NONE"))
    authorizer = None
    if authorization == "COGNITO_USER_POOLS":
        authorizer_id = next(iter(references(props.get("AuthorizerId"))), None)
        if authorizer_id is None or authorizer_id not in authorizers:
            raise TemplateError(
                f"{logical_id}: COGNITO_USER_POOLS method without a known authorizer"
            )
        authorizer = authorizers[authorizer_id]
    elif authorization != "NONE":
        raise TemplateError(
            f"{logical_id}: AuthorizationType {authorization} is not supported locally"
        )

    integration = props.get("Integration", {})
    integration_type = str(integration.get("Type", ""))
    if integration_type == "AWS_PROXY":
        targets = references(integration.get("Uri"))
        if api_function_id not in targets:
            raise TemplateError(
                f"{logical_id}: proxies to {sorted(targets)}, but the local gateway runs only "
                f"{api_function_id} in-process"
            )
        return Method(
            props["HttpMethod"], authorization, authorizer, integration_type, api_function_id
        )
    if integration_type == "MOCK":
        # The default integration response (no SelectionPattern) is what a MOCK returns.
        responses = [
            r for r in integration.get("IntegrationResponses", []) if not r.get("SelectionPattern")
        ]
        first = responses[0] if responses else {}
        mock = MockResponse(
            status=int(first.get("StatusCode", 200)),
            headers=_headers(first.get("ResponseParameters", {}), "method.response.header."),
        )
        return Method(props["HttpMethod"], authorization, authorizer, integration_type, mock=mock)
    raise TemplateError(
        f"{logical_id}: integration type {integration_type!r} is not supported locally"
    )
