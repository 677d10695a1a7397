"""The application metrics every function emits as CloudWatch EMF, and the dashboards read
(MP-MON-03, MP-MON-01). Namespace `names.METRICS_NAMESPACE`; every metric carries the dimension
`service` (the emitting function's Powertools service), some one more, named here.

Counts (unit Count, one per event):
- SIGN_UPS: a confirmed self sign-up joined its group (PostConfirmation).
- ENROLMENTS, LESSON_COMPLETIONS, SUBMISSIONS, GRADES: a business action the API's domain
  carried out (only once the domain call returned; a repeated enrolment does not count).
- PROBLEM_RESPONSES: an API error response, dimension `problem` (the problem type's slug).
- SCAN_VERDICTS: a verdict the scanner wrote on an uploaded version, dimension `verdict`
  (CLEAN, INFECTED, ERROR).
Durations:
- SCAN_DURATION_MS: milliseconds from the scanner taking the version to its verdict written
  (unit Milliseconds), dimension `service` only.

`names.DEFINITIONS_AGE_METRIC` (the virus definitions' age) is the updater's, read by an alarm.
"""

from __future__ import annotations

SERVICE_DIMENSION = "service"
PROBLEM_DIMENSION = "problem"
VERDICT_DIMENSION = "verdict"

SIGN_UPS = "SignUps"
ENROLMENTS = "Enrolments"
LESSON_COMPLETIONS = "LessonCompletions"
SUBMISSIONS = "Submissions"
GRADES = "Grades"
PROBLEM_RESPONSES = "ProblemResponses"
SCAN_VERDICTS = "ScanVerdicts"
SCAN_DURATION_MS = "ScanDurationMs"

# The API's business actions, in the order a learner meets them (dimension `service` only).
BUSINESS_ACTIONS = (ENROLMENTS, LESSON_COMPLETIONS, SUBMISSIONS, GRADES)
