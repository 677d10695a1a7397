"""Macie custom data identifiers for Japanese personal data (GL-SEC-01, docs/decisions/0032).

Each identifier is data: a regex, the keywords one of which must precede a match, and the
largest number of characters between the end of that keyword and the start of the match. The
baseline stack turns them into `AWS::Macie::CustomDataIdentifier` resources unchanged, and the
unit tests run the same values over a Japanese sample corpus with `finds()`, which applies
Macie's rule (a keyword, when there are any, must occur before the match and within the
distance).

The regexes use only what both Macie's PCRE subset and Python's `re` understand: character
classes, counted repetition, alternation, groups (group 1 is the value). No lookaround or `\\b`:
instead every number is fenced by a non-digit (or the start or end of the text), so that a
12-digit My Number is not found inside a 13-digit corporate number, a longer order number or a
telephone number. Digits are spelled `[0-9]` (Python's `\\d` also matches full-width digits,
Macie's does not).

What a regex cannot decide: the My Number check digit (the 12th digit, a weighted sum modulo
11). Any 12 digits after マイナンバー / 個人番号 are reported; an operator who reviews a finding
checks the digit (docs/security-baseline.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

# Fences: a match must not continue a longer digit run on either side.
_BEFORE = "(?:^|[^0-9])"
_AFTER = "(?:[^0-9]|$)"

MACIE_MAX_REGEX = 512
MACIE_MAX_KEYWORDS = 50
MACIE_KEYWORD_LENGTH = (3, 90)
MACIE_DISTANCE = (1, 300)


@dataclass(frozen=True)
class DataIdentifier:
    name: str
    description: str
    regex: str
    keywords: tuple[str, ...] = ()
    maximum_match_distance: int = 50

    def __post_init__(self) -> None:
        # The limits of CreateCustomDataIdentifier: stop the synth, not the deploy.
        if len(self.regex) > MACIE_MAX_REGEX:
            raise ValueError(f"{self.name}: regex longer than {MACIE_MAX_REGEX} characters")
        if len(self.keywords) > MACIE_MAX_KEYWORDS:
            raise ValueError(f"{self.name}: more than {MACIE_MAX_KEYWORDS} keywords")
        low, high = MACIE_KEYWORD_LENGTH
        for keyword in self.keywords:
            if not low <= len(keyword) <= high:
                raise ValueError(f"{self.name}: keyword {keyword!r} is not {low}-{high} characters")
        low, high = MACIE_DISTANCE
        if not low <= self.maximum_match_distance <= high:
            raise ValueError(f"{self.name}: maximum match distance outside {low}-{high}")

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.regex)

    def finds(self, text: str) -> list[str]:
        """What Macie reports in `text`: every regex match (group 1, without its fences) that
        has, when the identifier has keywords, one of them ending at most
        `maximum_match_distance` characters before it."""
        found = []
        position = 0
        while (match := self.pattern.search(text, position)) is not None:
            start = match.start(1)
            if not self.keywords or self._keyword_before(text, start):
                found.append(match.group(1))
            position = match.end(1)
        return found

    def _keyword_before(self, text: str, start: int) -> bool:
        for keyword in self.keywords:
            at = text.rfind(keyword, 0, start)  # the nearest occurrence before the match
            if at >= 0 and start - (at + len(keyword)) <= self.maximum_match_distance:
                return True
        return False


def _fenced(body: str) -> str:
    return f"{_BEFORE}({body}){_AFTER}"


MY_NUMBER = DataIdentifier(
    name="jp-my-number",
    description="マイナンバー (個人番号): 12 digits, optionally grouped 4-4-4 by hyphens or spaces",
    regex=_fenced("[0-9]{12}|[0-9]{4}-[0-9]{4}-[0-9]{4}|[0-9]{4} [0-9]{4} [0-9]{4}"),
    keywords=("マイナンバー", "個人番号", "My Number"),
    maximum_match_distance=30,
)

# Macie keywords have at least 3 characters, so the postal mark 〒 is part of the regex of its
# own identifier; the word 郵便番号 is a keyword of the second one.
POSTAL_CODE_MARK = DataIdentifier(
    name="jp-postal-code-mark",
    description="郵便番号 after the postal mark: 〒NNN-NNNN",
    regex=f"〒 ?([0-9]{{3}}-[0-9]{{4}}){_AFTER}",
)
POSTAL_CODE = DataIdentifier(
    name="jp-postal-code",
    description="郵便番号 NNN-NNNN after the word 郵便番号",
    regex=_fenced("[0-9]{3}-[0-9]{4}"),
    keywords=("郵便番号", "postal code"),
    maximum_match_distance=20,
)

# Landline numbers have ten digits: 0 + area code + subscriber number, the area code 1-4
# digits after the 0. Mobile/IP (070, 080, 090, 050) have eleven, toll-free 0120 / 0800 their
# own grouping. +81 replaces the leading 0. Only written with hyphens (or after +81): an
# unseparated run of ten or eleven digits is as likely an order or account number.
_NATIONAL = (
    "[1-9]-[0-9]{4}-[0-9]{4}",
    "[1-9][0-9]-[0-9]{3}-[0-9]{4}",
    "[1-9][0-9]{2}-[0-9]{2}-[0-9]{4}",
    "[1-9][0-9]{3}-[0-9]-[0-9]{4}",
    "[5789]0-[0-9]{4}-[0-9]{4}",
    "120-[0-9]{3}-[0-9]{3}",
    "800-[0-9]{3}-[0-9]{4}",
)
PHONE_NUMBER = DataIdentifier(
    name="jp-phone-number",
    description="日本の電話番号: landline, mobile, toll-free; hyphenated or +81",
    regex=_fenced(
        "0(?:" + "|".join(_NATIONAL) + ")"
        "|\\+81[- ]?(?:[5789]0-?[0-9]{4}-?[0-9]{4}|[1-9]-?[0-9]{4}-?[0-9]{4}"
        "|[1-9][0-9]-?[0-9]{3}-?[0-9]{4})"
    ),
)

IDENTIFIERS: tuple[DataIdentifier, ...] = (MY_NUMBER, POSTAL_CODE_MARK, POSTAL_CODE, PHONE_NUMBER)
