"""What the demo data of the local mode holds: two courses, their lessons and assignments, and
what the demo learners have done in them (manabi_local.demo_learning writes it).

Chosen so that a newcomer signing in sees every part of the product at once: a learner part-way
through two courses with assignments due soon and later, and a teacher with a graded clean
submission, a clean one waiting for a grade and an infected one the scanner caught.
"""

from __future__ import annotations

from dataclasses import dataclass

from manabi_scanner.engine import EICAR


@dataclass(frozen=True)
class DemoLesson:
    lesson_id: str
    title: str
    body: str  # Markdown


@dataclass(frozen=True)
class DemoAssignment:
    assignment_id: str
    title: str
    instructions: str
    # Due this many days after the first seeding (23:59 JST), or at `due_at` when it is set.
    due_in_days: int = 0
    due_at: str = ""


@dataclass(frozen=True)
class DemoCourse:
    course_id: str
    title: str
    description: str
    lessons: tuple[DemoLesson, ...]
    assignments: tuple[DemoAssignment, ...]


@dataclass(frozen=True)
class DemoEnrolment:
    learner_email: str
    course_id: str
    completed: tuple[str, ...]  # lesson ids


@dataclass(frozen=True)
class DemoSubmission:
    learner_email: str
    course_id: str
    assignment_id: str
    upload_id: str  # fixed: the object key is the same on every start
    file_name: str
    body: bytes
    grade: int | None = None  # given by the teacher once the scanner found the file clean
    feedback: str = ""


SAMPLE_COURSE_ID = "sample-python-basics"
WEB_COURSE_ID = "sample-web-basics"
LEARNER = "learner@example.com"
SECOND_LEARNER = "learner2@example.com"

PYTHON_COURSE = DemoCourse(
    SAMPLE_COURSE_ID,
    "はじめてのPython",
    "変数・条件分岐・繰り返し・関数まで、Pythonの基本を順番に学ぶサンプルコースです。",
    (
        DemoLesson(
            "sample-lesson-1",
            "変数と型",
            '# 変数と型\n\n`name = "まなび"` のように、値に名前を付けて使います。\n\n'
            "- 数値: `int`, `float`\n- 文字列: `str`\n- 真偽値: `bool`\n",
        ),
        DemoLesson(
            "sample-lesson-2",
            "条件分岐と繰り返し",
            "# 条件分岐と繰り返し\n\n```python\nfor n in range(3):\n    if n % 2 == 0:\n"
            '        print(n, "は偶数")\n```\n\n'
            "| 構文 | 使いどころ |\n| --- | --- |\n"
            "| `if` / `elif` / `else` | 条件で処理を分ける |\n"
            "| `for` | 決まった回数・要素ごとに繰り返す |\n| `while` | 条件が真の間繰り返す |\n",
        ),
    ),
    (
        DemoAssignment(
            "sample-assignment-1",
            "課題1: FizzBuzz",
            "1から30までの FizzBuzz を出力するプログラムを提出してください。",
            due_at="2099-03-31T23:59:00+09:00",
        ),
        DemoAssignment(
            "sample-assignment-2",
            "課題2: 税込み価格を計算する関数",
            "税抜き価格を受け取り、税率10%の税込み価格（円未満切り捨て）を返す関数 "
            "`with_tax(price)` を書いて、テキストファイルで提出してください。",
            due_in_days=3,
        ),
    ),
)

WEB_COURSE = DemoCourse(
    WEB_COURSE_ID,
    "Webのしくみ入門",
    "ブラウザとサーバーがどのようにやり取りするのかを、HTTPとHTMLから学ぶサンプルコースです。",
    (
        DemoLesson(
            "web-lesson-1",
            "HTTPのリクエストとレスポンス",
            "# HTTPのリクエストとレスポンス\n\nブラウザはサーバーに**リクエスト**を送り、"
            "サーバーは**レスポンス**を返します。\n\n```http\nGET /courses HTTP/1.1\n"
            "Host: example.com\nAccept: text/html\n```\n",
        ),
        DemoLesson(
            "web-lesson-2",
            "ステータスコード",
            "# ステータスコード\n\n| コード | 意味 |\n| --- | --- |\n| 200 | 成功 |\n"
            "| 404 | 見つからない |\n| 429 | リクエストが多すぎる |\n"
            "| 503 | 一時的に利用できない |\n",
        ),
        DemoLesson(
            "web-lesson-3",
            "HTMLの基本",
            '# HTMLの基本\n\n```html\n<!doctype html>\n<html lang="ja">\n  <body>\n'
            "    <h1>こんにちは</h1>\n  </body>\n</html>\n```\n\n"
            "`lang` 属性でページの言語を伝えると、読み上げソフトが正しく読めます。\n",
        ),
    ),
    (
        DemoAssignment(
            "web-assignment-1",
            "課題: ステータスコードを調べる",
            "よく使うWebサイトを1つ選び、ブラウザの開発者ツールで見えたステータスコードを"
            "3つ、その意味とあわせてまとめて提出してください。",
            due_in_days=7,
        ),
    ),
)

DEMO_COURSES = (PYTHON_COURSE, WEB_COURSE)

DEMO_ENROLMENTS = (
    DemoEnrolment(LEARNER, SAMPLE_COURSE_ID, ("sample-lesson-1",)),
    DemoEnrolment(LEARNER, WEB_COURSE_ID, ("web-lesson-1",)),
    DemoEnrolment(SECOND_LEARNER, SAMPLE_COURSE_ID, ()),
)

DEMO_SUBMISSIONS = (
    DemoSubmission(
        LEARNER,
        SAMPLE_COURSE_ID,
        "sample-assignment-2",
        "demo-upload-tax",
        "with_tax.txt",
        b"def with_tax(price):\n    return price * 110 // 100\n",
        grade=90,
        feedback="整数のまま計算できていて良いですね。次は負の値の扱いも考えてみましょう。",
    ),
    DemoSubmission(
        LEARNER,
        WEB_COURSE_ID,
        "web-assignment-1",
        "demo-upload-status",
        "status-codes.txt",
        "200 成功\n301 恒久的な移動\n404 見つからない\n".encode(),
    ),
    DemoSubmission(
        SECOND_LEARNER,
        SAMPLE_COURSE_ID,
        "sample-assignment-2",
        "demo-upload-eicar",
        "with_tax_final.txt",
        EICAR,  # the antivirus test file: the scanner records INFECTED
    ),
)
