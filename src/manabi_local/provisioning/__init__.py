"""Create the template's resources in the emulator, with the template's own properties.

CloudFormation in moto cannot deploy the CDK template (docs/decisions/0020), so every PROVISIONED
type (resource_types) has a small function in the module of its service (dynamodb, s3, sqs, sns,
kms, cognito) that turns its CloudFormation properties into the boto3 calls. Each one declares which
properties it passes on and which it ignores (and why); a property in neither set stops
provisioning, exactly like an unknown resource type does. Every function is idempotent: a second
run against the same emulator finds the resources and leaves them as they are.

- `resource_types`: every type the local mode knows: provisioned, or not emulated and why.
- `rules`: what a provisioning function gets and returns, and the helpers the services share.
- `registry`: CloudFormation type -> the rules of its service module.
- `provisioner`: plan() and provision() walk the template; LocalResources is what they made.
- `clients`: the boto3 clients bound to the emulator.
"""

from manabi_local.provisioning.clients import EmulatorClients
from manabi_local.provisioning.provisioner import LocalResources, api_function, plan, provision
from manabi_local.provisioning.resource_types import UnknownResourceTypeError
from manabi_local.provisioning.rules import ProvisioningError

__all__ = [
    "EmulatorClients",
    "LocalResources",
    "ProvisioningError",
    "UnknownResourceTypeError",
    "api_function",
    "plan",
    "provision",
]
