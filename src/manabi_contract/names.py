"""The system's names: services, handlers, metrics and groups (resource names: `resources`)."""

from __future__ import annotations

SYSTEM = "manabiplus"
# Powertools service names: the `service` key of every log line and dimension of every metric.
API_SERVICE = "manabi-api"
SCANNER_SERVICE = "manabi-scanner"
UPDATER_SERVICE = "manabi-avdefinitions-updater"
RECONCILER_SERVICE = "manabi-scan-reconciler"
GUARDDUTY_VERDICT_SERVICE = "manabi-guardduty-verdicts"
POST_CONFIRMATION_SERVICE = "manabi-post-confirmation"
ORIGIN_ROTATION_SERVICE = "manabi-origin-rotation"
BACKUP_SERVICE = "manabi-daily-backup"
METRICS_NAMESPACE = "ManabiPlus"
# The updater's metric, read by an alarm (the application metrics: manabi_contract.app_metrics).
DEFINITIONS_AGE_METRIC = "VirusDefinitionsAgeHours"

# Lambda handlers, as the CDK app configures them.
API_HANDLER = "manabi_api.handler.lambda_handler"
POST_CONFIRMATION_HANDLER = "manabi_api.post_confirmation.lambda_handler"
SCANNER_HANDLER = "manabi_scanner.handler.lambda_handler"
UPDATER_HANDLER = "manabi_scanner.updater.lambda_handler"
RECONCILER_HANDLER = "manabi_scanner.reconciler.lambda_handler"
GUARDDUTY_VERDICT_HANDLER = "manabi_scanner.guardduty.lambda_handler"
ORIGIN_ROTATION_HANDLER = "manabi_rotation.handler.lambda_handler"

# Cognito groups (MP-COG-08); manabi_api.kernel.principal.Group has the same values.
GROUP_LEARNERS = "learners"
GROUP_TEACHERS = "teachers"
GROUP_ADMINS = "admins"
GROUPS = (GROUP_LEARNERS, GROUP_TEACHERS, GROUP_ADMINS)
