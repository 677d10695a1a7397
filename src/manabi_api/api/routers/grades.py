"""A course's grades as CSV for its teacher (APP-ASG-04).

UTF-8 with a byte order mark, so that Excel in Japan reads the Japanese text as UTF-8 and not
as Shift_JIS; CRLF line ends (RFC 4180); Japanese headers. A cell that a spreadsheet would take
for a formula (=, +, -, @, a tab or a CR first) is prefixed with an apostrophe (OWASP: CSV
injection): names and feedback are typed by people.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

from manabi_api.api.access import TEACHING
from manabi_api.api.problems import FOUND
from manabi_api.api.routers.courses import COURSE
from manabi_api.api.routing import Reply, Request, ResourceRouter
from manabi_api.api.schemas import CSV_MEDIA_TYPE
from manabi_api.domain.grades import GradeRow, GradeService
from manabi_api.kernel.assignments import SubmissionStatus

router: ResourceRouter[GradeService] = ResourceRouter("grades")
GRADES_CSV = f"{COURSE}/grades.csv"
CSV = f"{CSV_MEDIA_TYPE}; charset=utf-8"
BOM = "\ufeff"
HEADERS = ("氏名", "メールアドレス", "課題", "状態", "点数", "フィードバック", "提出日時")
_STATES = {
    SubmissionStatus.PENDING: "検査中",
    SubmissionStatus.CLEAN: "提出済み",
    SubmissionStatus.INFECTED: "危険なファイル",
    SubmissionStatus.ERROR: "検査エラー",
}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def state(row: GradeRow) -> str:
    if row.submission is None:
        return "未提出"
    if row.submission.grade is not None:
        return "採点済み"
    return _STATES[row.submission.status]


def grades_csv(rows: list[GradeRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows:
        submission = row.submission
        writer.writerow(
            cell(v)
            for v in (
                row.learner.name or row.learner.user_id,
                row.learner.email,
                row.assignment.title,
                state(row),
                None if submission is None else submission.grade,
                None if submission is None else submission.feedback,
                None if submission is None else submission.submitted_at,
            )
        )
    return BOM + out.getvalue()


@router.get(GRADES_CSV, "exportGrades", TEACHING, {200: "GradesCsv", **FOUND})
def export_grades(request: Request, grades: GradeService) -> Reply:
    """The course's grades as CSV (UTF-8 with BOM): every learner × every assignment"""
    title, rows = grades.export(request.caller, request.course_id)
    name = f"{title}_成績.csv"
    disposition = f"attachment; filename=\"grades.csv\"; filename*=UTF-8''{quote(name)}"
    return Reply(200, grades_csv(rows), {"Content-Disposition": disposition}, content_type=CSV)
