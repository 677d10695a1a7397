"""Cognito user pool, groups and the SPA's app client (MP-COG-01..08).

Sign-in aliases and case sensitivity are fixed when a pool is created; changing them later means a
new pool and lost users, so they are set to the design's values from the first deploy.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from manabi_infra import names
from manabi_infra.config import TOKYO, EnvironmentConfig

VERIFICATION_MESSAGE = "検証コードは {####} です。"
VERIFICATION_SUBJECT = "検証コード"
TEMPORARY_PASSWORD_DAYS = 7

# Lower number wins when a user is in several groups (the role in the ID token).
_GROUP_PRECEDENCE = {names.GROUP_ADMINS: 0, names.GROUP_TEACHERS: 10, names.GROUP_LEARNERS: 20}
_GROUP_DESCRIPTIONS = {
    names.GROUP_LEARNERS: "就学者 (learners)",
    names.GROUP_TEACHERS: "教師 (teachers)",
    names.GROUP_ADMINS: "管理者 (administrators)",
}


class Auth(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        resource_names: names.ResourceNames,
    ) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=resource_names.user_pool,
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
            email=_email(config),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            # No SMS is sent yet (no MFA, phone not auto-verified): no SNS role to hold.
            enable_sms_role=False,
            deletion_protection=config.deletion_protection,
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
            for group in names.GROUPS
        }
        # The SPA signs in with USER_PASSWORD_AUTH (the local emulator has no real SRP) and
        # refreshes tokens; a browser cannot keep a client secret.
        self.web_client = self.user_pool.add_client(
            "WebClient",
            user_pool_client_name=resource_names.user_pool_client,
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_password=True),
            disable_o_auth=True,  # no hosted UI: the SPA calls the Cognito API itself
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
        )


def _email(config: EnvironmentConfig) -> cognito.UserPoolEmail:
    """COGNITO_DEFAULT sends only 50 mails a day per account; SES by configuration (MP-COG-06)."""
    if config.ses_identity:
        return cognito.UserPoolEmail.with_ses(from_email=config.ses_identity, ses_region=TOKYO)
    return cognito.UserPoolEmail.with_cognito()
