"""GL-SEC-01: the Macie custom data identifiers for Japanese personal data, tested as data.

The same regex, keywords and maximum match distance that the baseline stack gives
`AWS::Macie::CustomDataIdentifier` run over a shipped corpus of fictitious Japanese text
(`DataIdentifier.finds` applies Macie's keyword-proximity rule). Every number below is made up;
the My Numbers carry correct check digits so that the corpus looks like real data.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from manabi_infra.baseline.pii_identifiers import (
    IDENTIFIERS,
    MY_NUMBER,
    PHONE_NUMBER,
    POSTAL_CODE,
    POSTAL_CODE_MARK,
    DataIdentifier,
)


def my_number_check_digit(first_eleven: str) -> int:
    """The 12th digit of a My Number (個人番号の指定等に関する省令 第5条)."""
    assert len(first_eleven) == 11
    total = 0
    for n, digit in enumerate(reversed(first_eleven), start=1):
        weight = n + 1 if n <= 6 else n - 5
        total += int(digit) * weight
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def my_number(first_eleven: str) -> str:
    return first_eleven + str(my_number_check_digit(first_eleven))


VALID_1 = my_number("12345678901")
VALID_2 = my_number("98765432109")
GROUPED = f"{VALID_2[:4]}-{VALID_2[4:8]}-{VALID_2[8:]}"
SPACED = f"{VALID_1[:4]} {VALID_1[4:8]} {VALID_1[8:]}"
CORPORATE = "7010001088960"  # a 13-digit 法人番号 (fictitious)

# (identifier, text, what it must find)
CORPUS: tuple[tuple[DataIdentifier, str, list[str]], ...] = (
    # マイナンバー: 12 digits near マイナンバー / 個人番号, grouped or not.
    (MY_NUMBER, f"申請者のマイナンバー：{VALID_1}", [VALID_1]),
    (MY_NUMBER, f"個人番号 {GROUPED} を記入してください。", [GROUPED]),
    (MY_NUMBER, f"マイナンバーカード（番号 {SPACED}）の写し", [SPACED]),
    (MY_NUMBER, f"個人番号\n{VALID_1}\n{VALID_2}", [VALID_1, VALID_2]),
    # Near misses: no keyword, keyword too far, 13-digit corporate number, longer runs,
    # 11 digits, mixed separators, dates.
    (MY_NUMBER, f"注文番号 {VALID_1} のご注文を承りました。", []),
    (MY_NUMBER, f"マイナンバー制度について。{'あ' * 40}受付番号 {VALID_2}", []),
    (MY_NUMBER, f"法人番号（個人番号ではありません）：{CORPORATE}", []),
    (MY_NUMBER, f"個人番号 {VALID_1}9 は桁が多い", []),
    (MY_NUMBER, "個人番号 12345678901 は桁が足りない", []),
    (MY_NUMBER, f"個人番号 {VALID_1[:4]}-{VALID_1[4:8]} {VALID_1[8:]}", []),
    (MY_NUMBER, "個人番号の提出期限は 2026-12-03 です", []),
    # 郵便番号 after 〒 (no keyword needed) or after the word.
    (POSTAL_CODE_MARK, "〒100-8111 東京都千代田区千代田1-1", ["100-8111"]),
    (POSTAL_CODE_MARK, "〒 530-0001 大阪府大阪市北区", ["530-0001"]),
    (POSTAL_CODE_MARK, "〒100-81112", []),
    (POSTAL_CODE_MARK, "受付 100-8111", []),
    (POSTAL_CODE, "郵便番号：060-0001 北海道札幌市", ["060-0001"]),
    (POSTAL_CODE, "郵便番号 1000001", []),  # no hyphen
    (POSTAL_CODE, "型番 100-8111", []),  # no keyword
    (POSTAL_CODE, "郵便番号欄の電話 03-1234-5678", []),
    (POSTAL_CODE, "郵便番号 2026-1203", []),
    # 電話番号: landline, mobile, toll-free, +81.
    (PHONE_NUMBER, "お問い合わせ：03-1234-5678（平日）", ["03-1234-5678"]),
    (PHONE_NUMBER, "携帯 090-1234-5678", ["090-1234-5678"]),
    (PHONE_NUMBER, "大阪 06-6123-4567 / 札幌 011-123-4567", ["06-6123-4567", "011-123-4567"]),
    (PHONE_NUMBER, "0120-123-456 まで", ["0120-123-456"]),
    (PHONE_NUMBER, "海外から +81-90-1234-5678", ["+81-90-1234-5678"]),
    (PHONE_NUMBER, "+81312345678 へ", ["+81312345678"]),
    (PHONE_NUMBER, "0467-12-3456 鎌倉", ["0467-12-3456"]),
    # Near misses: dates, order numbers, postal codes, unseparated runs, My Numbers.
    (PHONE_NUMBER, "提出日 2026-12-03", []),
    (PHONE_NUMBER, "注文番号 09012345678", []),
    (PHONE_NUMBER, "〒100-8111", []),
    (PHONE_NUMBER, f"個人番号 {GROUPED}", []),
    (PHONE_NUMBER, "部品 103-1234-56789", []),
    (PHONE_NUMBER, "時刻 10:30-12:00", []),
)


@pytest.mark.parametrize(("identifier", "text", "expected"), CORPUS)
def test_gl_sec_01_identifiers_find_exactly_the_personal_data(
    identifier: DataIdentifier, text: str, expected: list[str]
) -> None:
    assert identifier.finds(text) == expected


def test_gl_sec_01_check_digit_is_not_decided_by_the_regex() -> None:
    """A My Number with a wrong check digit is still reported: the reviewer checks it
    (docs/decisions/0032)."""
    wrong = VALID_1[:11] + str((int(VALID_1[11]) + 1) % 10)
    assert my_number_check_digit(wrong[:11]) != int(wrong[11])
    assert MY_NUMBER.finds(f"マイナンバー {wrong}") == [wrong]


def test_gl_sec_01_check_digit_helper_matches_a_hand_computed_example() -> None:
    # 1·2+0·3+9·4+8·5+7·6+6·7 + 5·2+4·3+3·4+2·5+1·6 = 212; 212 mod 11 = 3; 11 − 3 = 8.
    assert my_number_check_digit("12345678901") == 8


eleven_digits = st.text(alphabet="0123456789", min_size=11, max_size=11)
japanese_filler = st.text(alphabet="あいうえおかきくけこ、。：", max_size=20)


@given(first=eleven_digits, before=japanese_filler, keyword=st.sampled_from(MY_NUMBER.keywords))
def test_gl_sec_01_every_my_number_after_a_keyword_is_found(
    first: str, before: str, keyword: str
) -> None:
    number = my_number(first)
    text = f"{before}{keyword}：{number}。"
    assert MY_NUMBER.finds(text) == [number]


@given(digits=st.text(alphabet="0123456789", min_size=13, max_size=20))
def test_gl_sec_01_longer_digit_runs_are_never_my_numbers(digits: str) -> None:
    assert MY_NUMBER.finds(f"個人番号 {digits}") == []


@given(
    area=st.integers(min_value=1, max_value=4),
    digits=st.text(alphabet="0123456789", min_size=9, max_size=9),
)
def test_gl_sec_01_every_ten_digit_landline_is_found(area: int, digits: str) -> None:
    national = "0" + str(int(digits[0]) or 1) + digits[1:]  # ten digits, no 00 prefix
    number = f"{national[: area + 1]}-{national[area + 1 : 6]}-{national[6:]}"
    assert PHONE_NUMBER.finds(f"電話 {number} まで") == [number]


@given(year=st.integers(1900, 2100), month=st.integers(1, 12), day=st.integers(1, 31))
def test_gl_sec_01_dates_are_no_personal_data(year: int, month: int, day: int) -> None:
    for text in (f"{year}-{month:02d}-{day:02d}", f"{year}/{month:02d}/{day:02d}"):
        for identifier in IDENTIFIERS:
            assert identifier.finds(f"日付 {text}") == [], identifier.name


def test_gl_sec_01_identifiers_respect_macie_limits() -> None:
    with pytest.raises(ValueError, match="keyword"):
        DataIdentifier("x", "x", "([0-9])", keywords=("〒",))
    with pytest.raises(ValueError, match="distance"):
        DataIdentifier("x", "x", "([0-9])", maximum_match_distance=301)
    assert len({i.name for i in IDENTIFIERS}) == len(IDENTIFIERS)
