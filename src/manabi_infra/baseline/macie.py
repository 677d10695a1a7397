"""Macie over the data bucket (GL-SEC-01, docs/decisions/0032).

The session turns on policy findings for every bucket of the account and region; the custom data
identifiers (manabi_infra.baseline.pii_identifiers) teach Macie Japanese personal data, and a
weekly scheduled classification job runs them, with Macie's recommended managed identifiers,
over the data bucket (learners' uploads). Classification jobs have no CloudFormation resource:
a custom resource creates the job (idempotent through its client token) and cancels it when the
stack is deleted.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_macie as macie
from aws_cdk import custom_resources as cr
from constructs import Construct

from manabi_infra import names
from manabi_infra.baseline.pii_identifiers import IDENTIFIERS
from manabi_infra.deployment import Deployment, DeploymentConstruct

JOB_SCHEDULE = {"weeklySchedule": {"dayOfWeek": "MONDAY"}}


class Macie(DeploymentConstruct):
    def __init__(
        self, scope: Construct, construct_id: str, *, deployment: Deployment, bucket_name: str
    ) -> None:
        super().__init__(scope, construct_id, deployment=deployment)
        Tags.of(self).add(names.TAG_FUNCTION, names.FUNCTION_SECURITY)
        session = macie.CfnSession(
            self, "Session", status="ENABLED", finding_publishing_frequency="FIFTEEN_MINUTES"
        )
        self.identifiers: list[macie.CfnCustomDataIdentifier] = []
        for identifier in IDENTIFIERS:
            resource = macie.CfnCustomDataIdentifier(
                self,
                "Identifier-" + identifier.name,
                name=f"{self.config.prefix}-{identifier.name}",
                description=identifier.description,
                regex=identifier.regex,
                keywords=list(identifier.keywords) or None,
                maximum_match_distance=identifier.maximum_match_distance,
            )
            resource.add_dependency(session)
            self.identifiers.append(resource)
        job_name = f"{self.config.prefix}-manabiplus-data-weekly"
        create = cr.AwsSdkCall(
            service="Macie2",
            action="createClassificationJob",
            parameters={
                "name": job_name,
                "description": "Weekly: Japanese personal data in learners' uploads",
                "clientToken": job_name,
                "jobType": "SCHEDULED",
                "scheduleFrequency": JOB_SCHEDULE,
                "initialRun": True,
                "samplingPercentage": 100,
                "managedDataIdentifierSelector": "RECOMMENDED",
                "customDataIdentifierIds": [i.attr_id for i in self.identifiers],
                "s3JobDefinition": {
                    "bucketDefinitions": [{"accountId": Aws.ACCOUNT_ID, "buckets": [bucket_name]}]
                },
            },
            physical_resource_id=cr.PhysicalResourceId.from_response("jobId"),
        )
        job = cr.AwsCustomResource(
            self,
            "ClassificationJob",
            resource_type="Custom::MacieClassificationJob",
            on_create=create,
            on_delete=cr.AwsSdkCall(
                service="Macie2",
                action="updateClassificationJob",
                parameters={"jobId": cr.PhysicalResourceIdReference(), "jobStatus": "CANCELLED"},
            ),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(
                        actions=["macie2:CreateClassificationJob"],
                        resources=[f"arn:aws:macie2:{Aws.REGION}:{Aws.ACCOUNT_ID}:*"],
                    ),
                    iam.PolicyStatement(
                        actions=["macie2:UpdateClassificationJob"],
                        resources=[
                            f"arn:aws:macie2:{Aws.REGION}:{Aws.ACCOUNT_ID}:classification-job/*"
                        ],
                    ),
                ]
            ),
            install_latest_aws_sdk=False,
            timeout=Duration.minutes(5),
        )
        for resource in self.identifiers:
            job.node.add_dependency(resource)
