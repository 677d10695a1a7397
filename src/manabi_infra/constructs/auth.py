"""Cognito user pool, groups and the SPA's app client (MP-COG-01..08).

Sign-in aliases and case sensitivity are fixed when a pool is created; changing them later means a
new pool and lost users, so they are set to the design's values from the first deploy.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Validations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from manabi_contract import environment as env
from manabi_contract import names as contract
from manabi_infra.config import TOKYO, EnvironmentConfig
from manabi_infra.constructs.function_logs_and_role import function_logs_and_role
from manabi_infra.constructs.powertools import powertools_environment
from manabi_infra.deployment import Deployment, DeploymentConstruct
from manabi_infra.nag_reasons import AWS, LOG_GROUP_KEY, NIST, XRAY_WRITES

VERIFICATION_MESSAGE = "検証コードは {####} です。"
VERIFICATION_SUBJECT = "検証コード"
TEMPORARY_PASSWORD_DAYS = 7

# Token lifetimes of the SPA's client (docs/auth.md). One hour for the ID and access tokens keeps a
# stolen token short-lived while the SPA refreshes silently; 30 days of refresh token means a
# learner who studies once a month signs in again at most once a month.
ID_TOKEN_MINUTES = 60
ACCESS_TOKEN_MINUTES = 60
REFRESH_TOKEN_DAYS = 30
AUTH_SESSION_MINUTES = 3

# The PostConfirmation trigger (manabi_api.post_confirmation, in the API's asset): every confirmed
# self sign-up joins `learners`. The local mode runs the same code after ConfirmSignUp, since the
# emulator never runs triggers.
# Lower number wins when a user is in several groups (the role in the ID token).
_GROUP_PRECEDENCE = {
    contract.GROUP_ADMINS: 0,
    contract.GROUP_TEACHERS: 10,
    contract.GROUP_LEARNERS: 20,
}
_GROUP_DESCRIPTIONS = {
    contract.GROUP_LEARNERS: "就学者 (learners)",
    contract.GROUP_TEACHERS: "教師 (teachers)",
    contract.GROUP_ADMINS: "管理者 (administrators)",
}


class Auth(DeploymentConstruct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        trigger_code: lambda_.Code | None = None,
    ) -> None:
        """`trigger_code` (the API's asset) adds the PostConfirmation Lambda that puts new
        sign-ups in `learners` (none until the workload stack passes it; docs/auth.md)."""
        super().__init__(scope, construct_id, deployment=deployment)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=self.resource_names.user_pool,
            self_sign_up_enabled=True,
            # username stays on, so these become AliasAttributes as the design asks (MP-COG-04).
            sign_in_aliases=cognito.SignInAliases(
                username=True, email=True, phone=True, preferred_username=True
            ),
            sign_in_case_sensitive=False,
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            auto_verify=cognito.AutoVerifiedAttrs(email=True, phone=False),
            password_policy=cognito.PasswordPolicy(
                min_length=8,
                require_digits=True,
                require_symbols=True,
                require_uppercase=True,
                require_lowercase=True,
                temp_password_validity=Duration.days(TEMPORARY_PASSWORD_DAYS),
            ),
            user_verification=cognito.UserVerificationConfig(
                email_style=cognito.VerificationEmailStyle.CODE,
                email_subject=VERIFICATION_SUBJECT,
                email_body=VERIFICATION_MESSAGE,
                sms_message=VERIFICATION_MESSAGE,
            ),
            mfa_message=VERIFICATION_MESSAGE,  # SmsAuthenticationMessage
            email=_email(self.config),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            # No SMS is sent yet (no MFA, phone not auto-verified): no SNS role to hold.
            enable_sms_role=False,
            deletion_protection=self.config.deletion_protection,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.groups = {
            group: cognito.UserPoolGroup(
                self,
                f"Group-{group}",
                user_pool=self.user_pool,
                group_name=group,
                description=_GROUP_DESCRIPTIONS[group],
                precedence=_GROUP_PRECEDENCE[group],
            )
            for group in contract.GROUPS
        }
        # The SPA signs in with USER_PASSWORD_AUTH (the local emulator has no real SRP) and
        # refreshes tokens; a browser cannot keep a client secret.
        self.web_client = self.user_pool.add_client(
            "WebClient",
            user_pool_client_name=self.resource_names.user_pool_client,
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_password=True),
            disable_o_auth=True,  # no hosted UI: the SPA calls the Cognito API itself
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.minutes(ID_TOKEN_MINUTES),
            access_token_validity=Duration.minutes(ACCESS_TOKEN_MINUTES),
            refresh_token_validity=Duration.days(REFRESH_TOKEN_DAYS),
            auth_session_validity=Duration.minutes(AUTH_SESSION_MINUTES),
        )
        self.post_confirmation: lambda_.Function | None = None
        if trigger_code is not None:
            self.post_confirmation = self._post_confirmation(trigger_code)

    def _post_confirmation(self, code: lambda_.Code) -> lambda_.Function:
        """PostConfirmation trigger: AdminAddUserToGroup `learners` on this pool, nothing else."""
        function_name = self.resource_names.post_confirmation_function
        log_group, role = function_logs_and_role(
            self,
            "PostConfirmation",
            log_group_name=self.resource_names.post_confirmation_log_group,
            role_name=f"{function_name}-role",
            description="Runtime role of the Manabi Plus PostConfirmation trigger",
        )
        function = lambda_.Function(
            self,
            "PostConfirmation",
            function_name=function_name,
            description="Cognito PostConfirmation: a confirmed sign-up joins learners",
            runtime=lambda_.Runtime.PYTHON_3_13,
            architecture=lambda_.Architecture.ARM_64,
            handler=contract.POST_CONFIRMATION_HANDLER,
            code=code,
            memory_size=128,
            tracing=lambda_.Tracing.ACTIVE,
            timeout=Duration.seconds(5),
            role=role,
            log_group=log_group,
            environment={
                env.GROUP_NAME: contract.GROUP_LEARNERS,
                **powertools_environment(self.config, contract.POST_CONFIRMATION_SERVICE),
            },
        )
        # A separate policy, not the role's default one: the function must not depend on the
        # pool's ARN, because the pool depends on the function (LambdaConfig) — no cycle.
        policy = iam.Policy(
            self,
            "PostConfirmationPolicy",
            roles=[role],
            statements=[
                iam.PolicyStatement(
                    sid="AddToLearners",
                    actions=["cognito-idp:AdminAddUserToGroup"],
                    resources=[self.user_pool.user_pool_arn],
                )
            ],
        )
        self.user_pool.add_trigger(cognito.UserPoolOperation.POST_CONFIRMATION, function)
        _acknowledge(
            function,
            (
                f"{AWS}L1",
                f"{NIST}LambdaConcurrency",
                f"{NIST}LambdaDLQ",
                f"{NIST}LambdaInsideVPC",
            ),
            "python3.13 by decision (docs/decisions/0001, MP-LMD-01); invoked synchronously by "
            "Cognito, which retries and reports a failure to the user, so a DLQ would hold "
            "nothing; one short call per confirmed sign-up needs no concurrency cap; no VPC by "
            "MP-NET-01",
        )
        _acknowledge(log_group, (f"{NIST}CloudWatchLogGroupEncrypted",), LOG_GROUP_KEY)
        for holder in (role, policy):
            _acknowledge(
                holder,
                (f"{NIST}IAMNoInlinePolicy",),
                "A role-specific inline policy is the least privilege of MP-IAM-02: it names this "
                "pool and this log group only",
            )
        _acknowledge(role, (f"{AWS}IAM5[Resource::*]",), f"{XRAY_WRITES} (MP-MON-03).")
        return function


def _acknowledge(construct: Construct, rules: tuple[str, ...], reason: str) -> None:
    """Accepted cdk-nag findings of the trigger, on its own resources (as manabi_infra.nag does)."""
    Validations.of(construct).acknowledge(*(Acknowledgment(id=r, reason=reason) for r in rules))


def _email(config: EnvironmentConfig) -> cognito.UserPoolEmail:
    """COGNITO_DEFAULT sends only 50 mails a day per account; SES by configuration (MP-COG-06)."""
    if config.ses_identity:
        return cognito.UserPoolEmail.with_ses(from_email=config.ses_identity, ses_region=TOKYO)
    return cognito.UserPoolEmail.with_cognito()
