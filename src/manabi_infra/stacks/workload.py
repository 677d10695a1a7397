"""The workload of one environment in Tokyo (or, for DR, in Osaka: docs/decisions/0039): data,
storage, auth, the API, the distributions, the access roles and the resource group."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from aws_cdk import Aws, CfnOutput, Fn, Tags, Token
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_resourcegroups as resourcegroups
from constructs import Construct

from manabi_contract import site
from manabi_contract.resources import log_group_of
from manabi_infra import names
from manabi_infra.config import OSAKA, ScanBackend, osaka_workload
from manabi_infra.constructs.access import AccessRoles
from manabi_infra.constructs.alerts import Alerts
from manabi_infra.constructs.api import Api
from manabi_infra.constructs.audit_trail import AuditTrail
from manabi_infra.constructs.auth import Auth
from manabi_infra.constructs.backups import DailyBackups
from manabi_infra.constructs.cdn import Cdn
from manabi_infra.constructs.clamav_scan import ClamAvScan
from manabi_infra.constructs.dashboards import Dashboards, Watched
from manabi_infra.constructs.data import Data
from manabi_infra.constructs.guardduty_scan import GuardDutyScan
from manabi_infra.constructs.saved_queries import SavedQueries
from manabi_infra.constructs.site import SitePublishing
from manabi_infra.constructs.storage import Storage
from manabi_infra.constructs.virus_scan import (
    TAGGING_ACTIONS,
    Restores,
    ScanInputs,
    VirusScan,
)
from manabi_infra.constructs.workload_alarms import WorkloadAlarms
from manabi_infra.deployment import Deployment
from manabi_infra.stacks.deployment_stack import DeploymentStack
from manabi_infra.stacks.edge import EdgeStack
from manabi_infra.stacks.tagging import environment_tags

__all__ = ["WorkloadStack", "environment_tags"]


class WorkloadStack(DeploymentStack):
    def __init__(
        self, scope: Construct, *, deployment: Deployment, api_code_dir: Path, edge: EdgeStack
    ) -> None:
        super().__init__(
            scope,
            names.workload_stack_id(deployment.config),
            deployment=deployment,
            region=deployment.config.workload_region,
            description="Manabi Plus workload",
            cross_region_references=True,
        )
        config = deployment.config
        self.storage = Storage(self, "Storage", deployment=deployment)
        self.data = Data(self, "Data", deployment=deployment)
        self.auth = Auth(
            self,
            "Auth",
            deployment=deployment,
            trigger_code=lambda_.Code.from_asset(str(api_code_dir)),  # the API's asset
        )
        self.api = Api(
            self,
            "Api",
            deployment=deployment,
            code_dir=api_code_dir,
            table=self.data.serving,
            data_bucket=self.storage.data_bucket,
            user_pool=self.auth.user_pool,
        )
        self.alerts = Alerts(self, "Alerts", deployment=deployment)
        self.backups = DailyBackups(
            self,
            "Backups",
            deployment=deployment,
            code_dir=api_code_dir,
            table=self.data.serving,
            data_bucket=self.storage.data_bucket,
            backup_bucket=self.storage.backup_bucket,
        )
        self.access = AccessRoles(
            self,
            "Access",
            deployment=deployment,
            data_bucket=self.storage.data_bucket,
            backup_bucket=self.storage.backup_bucket,
            log_bucket=self.storage.log_bucket,
            api_function=self.api.function,
        )
        scan = ScanInputs(
            deployment,
            self.storage.data_bucket,
            self.data.serving,
            self.alerts,
            readers=(self.backups.role,),
            # restore-data copies backup copies WITH their verdict tags (MP-RST-01)
            restores=Restores(self.access.operations, self._restore_sources()),
        )
        sources = [self.storage.backup_bucket.bucket_arn]
        sources += [f"arn:{Aws.PARTITION}:s3:::{b}" for b in self._restore_sources()[1:]]
        self.access.grant_restores(sources, self.storage.data_bucket)
        self.access.grant_table_restores(self.deployment.resource_names.table, config.serving_table)
        self.virus_scan: VirusScan = (
            GuardDutyScan(self, "VirusScan", scan, code_dir=api_code_dir)
            if config.scan_backend is ScanBackend.GUARDDUTY
            else ClamAvScan(
                self, "VirusScan", scan, definitions_bucket=self.storage.definitions_bucket
            )
        )
        # A completion that comes after the verdict asks for a scan again where the backend can
        # (MP-AV-01).
        self.virus_scan.grant_rescan(self.api.function)
        self.cdn = Cdn(
            self,
            "Cdn",
            deployment=deployment,
            storage=self.storage,
            rest_api=self.api.rest_api,
            edge=edge,
            code_dir=api_code_dir,
        )
        self.site = SitePublishing(
            self,
            "Site",
            deployment=deployment,
            web_bucket=self.storage.web_bucket,
            distribution=self.cdn.web_distribution,
            config_values=self.site_config(),
        )
        self._bucket_policies()
        self._monitoring(edge)
        self.trail = AuditTrail(
            self,
            "AuditTrail",
            deployment=deployment,
            bucket=self.storage.cloudtrail_bucket,
            data_event_buckets=[self.storage.data_bucket, self.storage.backup_bucket],
        )
        self._classify()
        self.resource_group = resourcegroups.CfnGroup(
            self,
            "ResourceGroup",
            name=names.RESOURCE_GROUP,
            description=f"Manabi Plus {config.environment_tag} - every tagged resource",
            resource_query=resourcegroups.CfnGroup.ResourceQueryProperty(
                type="TAG_FILTERS_1_0",
                query=resourcegroups.CfnGroup.QueryProperty(
                    resource_type_filters=["AWS::AllSupported"],
                    tag_filters=[
                        resourcegroups.CfnGroup.TagFilterProperty(
                            key=names.TAG_PROJECT, values=[names.PROJECT_TAG]
                        ),
                        resourcegroups.CfnGroup.TagFilterProperty(
                            key=names.TAG_ENVIRONMENT, values=[config.environment_tag]
                        ),
                    ],
                ),
            ),
        )
        Tags.of(self.resource_group).add(names.TAG_FUNCTION, names.FUNCTION_OPS)

        # What the SPA's /config.json and operators need after a deploy.
        CfnOutput(self, "ApiUrl", value=self.api.rest_api.url)
        CfnOutput(self, "UserPoolId", value=self.auth.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=self.auth.web_client.user_pool_client_id)
        CfnOutput(self, "TableName", value=self.data.serving.table_name)
        CfnOutput(self, "WebBucketName", value=self.storage.web_bucket.bucket_name)
        CfnOutput(self, "DataBucketName", value=self.storage.data_bucket.bucket_name)
        CfnOutput(self, "WebDistributionDomain", value=self.cdn.web_distribution.domain_name)
        CfnOutput(self, "ApiDistributionDomain", value=self.cdn.api_distribution.domain_name)

    def _restore_sources(self) -> tuple[str, ...]:
        """The buckets restore-data and restore-table copy and import from, the workload's own
        backup bucket first: in Osaka also the DR bucket the Tokyo backups replicated into; in
        Tokyo also the Osaka workload's backup bucket, for the way back (MP-AVL-01,
        docs/dr-runbook.md "Coming back to Tokyo")."""
        config = self.deployment.config
        n = self.deployment.resource_names
        if config.workload_region == OSAKA:
            return (n.backup_bucket, n.dr_backup_bucket)
        return (n.backup_bucket, names.resource_names(osaka_workload(config)).backup_bucket)

    @property
    def api_url(self) -> str:
        """The API as the SPA calls it: its custom name, else its distribution's name."""
        domain = self.deployment.config.api_domain
        if domain:
            return f"https://{domain}"
        return Fn.join("", ["https://", self.cdn.api_distribution.domain_name])

    def site_config(self) -> dict[str, object]:
        """The SPA's /config.json, from this stack's own values (docs/contracts.md)."""
        return {
            site.KEY_API_URL: self.api_url,
            site.KEY_REGION: self.region,
            site.KEY_USER_POOL_ID: self.auth.user_pool.user_pool_id,
            site.KEY_USER_POOL_CLIENT_ID: self.auth.web_client.user_pool_client_id,
            site.KEY_COGNITO_ENDPOINT: None,  # the SPA then uses cognito-idp.<region>
            site.KEY_ENVIRONMENT: str(self.deployment.config.name),
        }

    def _monitoring(self, edge: EdgeStack) -> None:
        """Alarms on every function of ours, the dashboards and the saved Logs Insights queries
        (MP-MON-01/02/03)."""
        n = self.deployment.resource_names
        # Ours carry a name; CDK's unnamed helpers (the SPA publisher) run none of our code.
        named = {
            f.node.default_child.function_name: f  # type: ignore[union-attr]
            for f in self.node.find_all()
            if isinstance(f, lambda_.Function)
        }
        functions = {
            str(name): f
            for name, f in named.items()
            if name is not None and not Token.is_unresolved(name)
        }
        stage = self.api.rest_api.deployment_stage
        self.alarms = WorkloadAlarms(
            self,
            "Alarms",
            deployment=self.deployment,
            alerts=self.alerts,
            stage=stage,
            functions=functions,
            table=self.data.table,
            regional_web_acl=n.regional_web_acl,
            region=self.deployment.config.workload_region,
        )
        scan_alarms = [
            a for a in self.virus_scan.node.find_all() if isinstance(a, cloudwatch.Alarm)
        ]
        storage = self.storage
        self.dashboards = Dashboards(
            self,
            "Dashboards",
            deployment=self.deployment,
            watched=Watched(
                region=self.deployment.config.workload_region,
                rest_api=n.rest_api,
                stage=names.API_STAGE,
                functions=sorted(functions),
                table=n.table,
                user_pool_id=self.auth.user_pool.user_pool_id,
                user_pool_client_id=self.auth.web_client.user_pool_client_id,
                buckets=[
                    b.bucket_name
                    for b in (storage.data_bucket, storage.backup_bucket, storage.web_bucket)
                ],
                log_groups=[n.api_access_log_group, *(log_group_of(f) for f in sorted(functions))],
                topic=n.alerts_topic,
                distributions={
                    "web": self.cdn.web_distribution.distribution_id,
                    "api": self.cdn.api_distribution.distribution_id,
                },
                regional_web_acl=n.regional_web_acl,
                cloudfront_web_acl=n.cloudfront_web_acl,
                certificate_arn=edge.certificate.certificate_arn if edge.certificate else None,
                hosted_zone_id=edge.hosted_zone.hosted_zone_id if edge.hosted_zone else None,
                scan_queue=n.scan_queue,
                scan_dead_letter_queue=n.scan_dead_letter_queue,
                alarms=[*self.alarms.alarms, *scan_alarms, self.alerts.delivery_alarm],
                scanner_metrics=n.scan_function in functions,
            ),
        )
        logs_of = self._log_groups_of(functions)
        scanners = [f for f in (n.scan_function, n.guardduty_verdict_function) if f in functions]
        self.saved_queries = SavedQueries(
            self,
            "SavedQueries",
            deployment=self.deployment,
            function_log_groups=_unique(logs_of[f] for f in sorted(functions)),
            api_log_group=logs_of[n.api_function],
            scan_log_groups=_unique(logs_of[f] for f in scanners),
        )

    def _log_groups_of(self, functions: dict[str, lambda_.Function]) -> dict[str, logs.ILogGroup]:
        """The log group each function writes to (its `LoggingConfig.LogGroup`, one of this
        stack's groups: the GuardDuty verdict function shares the scanner's), by function name."""
        groups = {
            json.dumps(self.resolve(g.log_group_name)): g
            for g in self.node.find_all()
            if isinstance(g, logs.LogGroup)
        }
        found: dict[str, logs.ILogGroup] = {}
        for name, function in functions.items():
            config = self.resolve(function.node.default_child.logging_config)  # type: ignore[union-attr]
            found[name] = groups[json.dumps(config["logGroup"])]
        return found

    def _bucket_policies(self) -> None:
        """The design's bucket-policy principals (2.3.4), next to the TLS-only deny."""
        role = self.api.function.role
        if role is None:  # pragma: no cover - the Api construct always gives it a role
            raise TypeError("the API function has no role")
        storage = self.storage
        storage.data_bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="ApiFunctionReadWrite",
                principals=[iam.ArnPrincipal(role.role_arn)],
                actions=list(names.API_DATA_OBJECT_ACTIONS),
                resources=[storage.data_bucket.arn_for_objects("*")],
            )
        )
        storage.application_bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="ApiFunctionReadOnly",
                principals=[iam.ArnPrincipal(role.role_arn)],
                actions=["s3:GetObject"],
                resources=[storage.application_bucket.arn_for_objects("*")],
            )
        )
        storage.backup_bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="RestoreReadOnly",
                principals=[
                    iam.ArnPrincipal(self.access.operations.role_arn),
                    iam.ArnPrincipal(self.access.backup.role_arn),
                ],
                actions=["s3:GetObject"],
                resources=[storage.backup_bucket.arn_for_objects("*")],
            )
        )
        # The verdicts a restore copies back come from the backup copies' tags: only the daily
        # backup function tags them (MP-RST-01, MP-BAK-03).
        backup_function = self.backups.role.role_arn
        for sid, actions, conditions in (
            ("DenyTaggingButBackupFunction", TAGGING_ACTIONS, {}),
            (
                "DenyTaggedUploadsButBackupFunction",
                ("s3:PutObject",),
                {"ForAnyValue:StringLike": {"s3:RequestObjectTagKeys": "*"}},
            ),
        ):
            storage.backup_bucket.add_to_resource_policy(
                iam.PolicyStatement(
                    sid=sid,
                    effect=iam.Effect.DENY,
                    principals=[iam.AnyPrincipal()],
                    actions=list(actions),
                    resources=[storage.backup_bucket.arn_for_objects("*")],
                    conditions={
                        **conditions,
                        "ArnNotEquals": {"aws:PrincipalArn": backup_function},
                    },
                )
            )

    def _classify(self) -> None:
        """Function and DataClassification tags of what the constructs do not tag themselves."""
        for construct, function in (
            (self.data, names.FUNCTION_BACKEND),
            (self.auth, names.FUNCTION_BACKEND),
            (self.api, names.FUNCTION_BACKEND),
        ):
            Tags.of(construct).add(names.TAG_FUNCTION, function)
        # On the CloudFormation resources only: the table's scaling targets hold no data.
        for holder in (self.data.table, self.auth.user_pool):
            resource = holder.node.default_child
            if resource is not None:
                Tags.of(resource).add(names.TAG_DATA_CLASSIFICATION, names.CLASS_PERSONAL)
        for child in self.node.find_all():
            if isinstance(child, logs.CfnLogGroup):
                Tags.of(child).add(names.TAG_DATA_CLASSIFICATION, names.CLASS_CONFIDENTIAL)
                Tags.of(child).add(names.TAG_FUNCTION, names.FUNCTION_OPS)


def _unique(groups: Iterable[logs.ILogGroup]) -> list[logs.ILogGroup]:
    """Each log group once, in the order met."""
    found: list[logs.ILogGroup] = []
    for group in groups:
        if group not in found:
            found.append(group)
    return found
