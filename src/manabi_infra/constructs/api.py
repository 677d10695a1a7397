"""The API: one Lambda function behind a REST API (MP-LMD-01..03, MP-APIGW-01..03).

Every route goes to the same function ("Lambdalith"); API Gateway checks the Cognito ID token on
all routes except the public health check, and answers the CORS preflight itself.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from manabi_contract import environment as env
from manabi_contract import names as contract
from manabi_infra import names
from manabi_infra.constructs.function_logs_and_role import (
    function_logs_and_role,
    retained_log_group,
)
from manabi_infra.constructs.gateway_responses import add_problem_gateway_responses
from manabi_infra.constructs.powertools import powertools_environment
from manabi_infra.deployment import Deployment, DeploymentConstruct

# The design's values (MP-LMD-02); change them only with a benchmark in the repo that shows why.
MEMORY_MB = 128
TIMEOUT = Duration.seconds(3)
TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:Query",
)
USER_POOL_ACTIONS = (
    "cognito-idp:ListUsers",
    "cognito-idp:AdminGetUser",
    "cognito-idp:AdminListGroupsForUser",
    "cognito-idp:AdminAddUserToGroup",
    "cognito-idp:AdminRemoveUserFromGroup",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminEnableUser",
)
CORS_ALLOW_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key"]


class Api(DeploymentConstruct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        code_dir: Path,
        table: dynamodb.ITable,
        data_bucket: s3.IBucket,
        user_pool: cognito.IUserPool,
    ) -> None:
        super().__init__(scope, construct_id, deployment=deployment)
        # Its own role, no managed policies: logs to its log group, data access granted below
        # (MP-IAM-02).
        log_group, role = function_logs_and_role(
            self,
            "Function",
            log_group_name=self.resource_names.api_log_group,
            role_name=self.resource_names.api_role,
            description="Runtime role of the Manabi Plus API function",
        )
        _grant_data_access(role, table=table, data_bucket=data_bucket, user_pool=user_pool)
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=self.resource_names.api_function,
            description="Manabi Plus API: every route of the REST API",
            runtime=lambda_.Runtime.PYTHON_3_13,
            architecture=lambda_.Architecture.ARM_64,
            handler=contract.API_HANDLER,
            code=lambda_.Code.from_asset(str(code_dir)),
            memory_size=MEMORY_MB,
            timeout=TIMEOUT,
            role=role,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            # Sized from the stage burst and the measured request time; the rest of the
            # account's pool stays free for the Cognito triggers (GL-SEC-04).
            reserved_concurrent_executions=self.config.api_reserved_concurrency,
            # The names are the contract with manabi_api.wiring (docs/contracts.md).
            environment={
                env.TABLE_NAME: table.table_name,
                env.DATA_BUCKET: data_bucket.bucket_name,
                env.USER_POOL_ID: user_pool.user_pool_id,
                env.ALLOWED_ORIGIN: self.config.web_origin,
                env.STAGE: self.config.name.value,
                env.UPLOADS_PER_HOUR: str(self.config.uploads_per_learner_per_hour),
                **powertools_environment(self.config, contract.API_SERVICE),
            },
        )
        self.rest_api = self._rest_api(user_pool)

    def _rest_api(self, user_pool: cognito.IUserPool) -> apigw.RestApi:
        access_logs = retained_log_group(
            self, "AccessLogs", self.resource_names.api_access_log_group
        )
        rest_api = apigw.RestApi(
            self,
            "RestApi",
            rest_api_name=self.resource_names.rest_api,
            description="Manabi Plus REST API",
            # REGIONAL: our own CloudFront distribution sits in front (MP-APIGW-01).
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # Stage logging needs the account-level CloudWatch role, one per account and region;
            # each environment has its own account and this stack is its only API.
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            deploy_options=apigw.StageOptions(
                stage_name=names.API_STAGE,
                tracing_enabled=True,
                # Every method of the stage: 429 from API Gateway above these (GL-SEC-04).
                throttling_rate_limit=self.config.api_throttle_rate,
                throttling_burst_limit=self.config.api_throttle_burst,
                logging_level=apigw.MethodLoggingLevel.INFO,  # ERROR and INFO, as designed
                data_trace_enabled=False,  # full request/response bodies may hold personal data
                metrics_enabled=self.config.api_detailed_metrics,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
            ),
            default_cors_preflight_options=apigw.CorsOptions(
                allow_origins=[self.config.web_origin],
                allow_headers=CORS_ALLOW_HEADERS,
                allow_methods=apigw.Cors.ALL_METHODS,
            ),
        )
        # Errors raised by API Gateway itself (401 from the authorizer, throttling) are problem
        # details with the CORS header, or the browser hides them from the SPA (decision 0033).
        add_problem_gateway_responses(rest_api, self.config.web_origin)

        authorizer = apigw.CognitoUserPoolsAuthorizer(
            self,
            "Authorizer",
            authorizer_name=self.resource_names.api_authorizer,
            cognito_user_pools=[user_pool],
        )
        # One integration for every route; it also grants API Gateway the invoke permission.
        integration = apigw.LambdaIntegration(self.function, proxy=True, allow_test_invoke=False)
        for resource in (rest_api.root, rest_api.root.add_resource("{proxy+}")):
            resource.add_method(
                "ANY",
                integration,
                authorizer=authorizer,
                authorization_type=apigw.AuthorizationType.COGNITO,
            )
        # The explicit resource wins over {proxy+}: GET /health answers without a token.
        rest_api.root.add_resource(names.HEALTH_PATH).add_method(
            "GET", integration, authorization_type=apigw.AuthorizationType.NONE
        )
        return rest_api


def _grant_data_access(
    role: iam.Role,
    *,
    table: dynamodb.ITable,
    data_bucket: s3.IBucket,
    user_pool: cognito.IUserPool,
) -> None:
    """What the API's routes do with the table, the uploads and the users, nothing more."""
    # The operations docs/data-model.md lists, nothing more: no Scan (MP-DDB-01).
    table.grant(role, *TABLE_ACTIONS)
    role.add_to_policy(
        iam.PolicyStatement(
            sid="UserAdministration",  # the admin routes (APP-ADM-01)
            actions=list(USER_POOL_ACTIONS),
            resources=[user_pool.user_pool_arn],
        )
    )
    role.add_to_policy(
        iam.PolicyStatement(
            sid="DataBucketObjects",
            actions=list(names.API_DATA_OBJECT_ACTIONS),
            resources=[data_bucket.arn_for_objects("*")],
        )
    )
    role.add_to_policy(
        iam.PolicyStatement(
            sid="ListDataBucket",
            actions=["s3:ListBucket"],
            resources=[data_bucket.bucket_arn],
        )
    )
    role.add_to_policy(
        iam.PolicyStatement(
            # an unscanned upload is unreadable (MP-AV-02): its listing gives size + version
            sid="DataBucketVersions",
            actions=["s3:ListBucketVersions"],
            resources=[data_bucket.bucket_arn],
        )
    )
