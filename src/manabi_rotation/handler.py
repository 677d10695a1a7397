"""Secrets Manager rotation function of the origin secret (GL-SEC-05).

Environment (manabi_contract.environment, set by manabi_infra.constructs.origin_rotation):
the WebACL's name and id, the rule that checks the header, the API distribution's id and the
header's name.
"""

from __future__ import annotations

import os
from typing import Any

from manabi_contract import environment as env
from manabi_rotation.aws import DistributionHeader, SecretsManagerStore, WebAclGuard
from manabi_rotation.rotation import Rotation


def lambda_handler(event: dict[str, Any], _context: object) -> None:
    header = os.environ[env.ORIGIN_HEADER]
    rotation = Rotation(
        SecretsManagerStore(event["SecretId"]),
        WebAclGuard(
            name=os.environ[env.ORIGIN_WEB_ACL_NAME],
            acl_id=os.environ[env.ORIGIN_WEB_ACL_ID],
            rule_name=os.environ[env.ORIGIN_RULE_NAME],
            header=header,
        ),
        DistributionHeader(distribution_id=os.environ[env.ORIGIN_DISTRIBUTION_ID], header=header),
    )
    rotation.run(event["Step"], event["ClientRequestToken"])
