"""The workload of one environment in Tokyo: data, storage, auth and the API."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CfnOutput, Environment, Stack, Tags
from constructs import Construct

from manabi_infra import names
from manabi_infra.config import TOKYO, EnvironmentConfig
from manabi_infra.constructs.api import Api
from manabi_infra.constructs.auth import Auth
from manabi_infra.constructs.data import Data
from manabi_infra.constructs.storage import Storage


def environment_tags(config: EnvironmentConfig) -> dict[str, str]:
    """Tags on every taggable resource of the environment (MP-TAG-01)."""
    return {
        names.TAG_PROJECT: names.PROJECT_TAG,
        names.TAG_ENVIRONMENT: config.environment_tag,
        names.TAG_SYSTEM: names.SYSTEM,
    }


class WorkloadStack(Stack):
    def __init__(self, scope: Construct, *, config: EnvironmentConfig, api_code_dir: Path) -> None:
        tags = environment_tags(config)
        super().__init__(
            scope,
            names.workload_stack_id(config),
            env=Environment(account=config.account, region=TOKYO),
            description=f"Manabi Plus workload ({config.environment_tag})",
            tags=tags,  # stack tags: CloudFormation adds them to what it creates
        )
        # Resource tags in the template too, so tests and the local provisioner can see them.
        for key, value in tags.items():
            Tags.of(self).add(key, value)

        resource_names = names.resource_names(config)
        self.storage = Storage(self, "Storage", resource_names=resource_names)
        self.data = Data(self, "Data", config=config, resource_names=resource_names)
        self.auth = Auth(self, "Auth", config=config, resource_names=resource_names)
        self.api = Api(
            self,
            "Api",
            config=config,
            resource_names=resource_names,
            code_dir=api_code_dir,
            table=self.data.table,
            data_bucket=self.storage.data_bucket,
            application_bucket=self.storage.application_bucket,
            user_pool=self.auth.user_pool,
        )

        # What the SPA's /config.json and operators need after a deploy.
        CfnOutput(self, "ApiUrl", value=self.api.rest_api.url)
        CfnOutput(self, "UserPoolId", value=self.auth.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=self.auth.web_client.user_pool_client_id)
        CfnOutput(self, "TableName", value=self.data.table.table_name)
        CfnOutput(self, "WebBucketName", value=self.storage.web_bucket.bucket_name)
        CfnOutput(self, "DataBucketName", value=self.storage.data_bucket.bucket_name)
