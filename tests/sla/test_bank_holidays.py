"""Bank holidays as gov.uk publishes them: a holiday on a weekend is replaced by its substitute
day, not kept beside it (the holidays package lists both)."""

from __future__ import annotations

from datetime import date

from sla.calendar import bank_holiday_dates


def test_england_and_wales_2022_as_published_on_gov_uk():
    # gov.uk/bank-holidays, England and Wales, 2022 (New Year's Day fell on a Saturday, Christmas
    # Day on a Sunday: their substitute days are 3 January and 27 December)
    published = {
        date(2022, 1, 3), date(2022, 4, 15), date(2022, 4, 18), date(2022, 5, 2), date(2022, 6, 2),
        date(2022, 6, 3), date(2022, 8, 29), date(2022, 9, 19), date(2022, 12, 26), date(2022, 12, 27),
    }  # fmt: skip
    assert bank_holiday_dates("england-and-wales", 2022, 2022) == published


def test_a_weekend_boxing_day_is_not_a_bank_holiday_its_substitute_is():
    # 2026: Christmas Day is a Friday, Boxing Day a Saturday, its substitute Monday 28 December
    december = sorted(d for d in bank_holiday_dates("england-and-wales", 2026, 2026) if d.month == 12)
    assert december == [date(2026, 12, 25), date(2026, 12, 28)]
    # 2027: both fall on the weekend; the substitutes are Monday 27 and Tuesday 28 December
    december = sorted(d for d in bank_holiday_dates("england-and-wales", 2027, 2027) if d.month == 12)
    assert december == [date(2027, 12, 27), date(2027, 12, 28)]
    # Scotland, 2027: 2 January is a Saturday; its substitute is Monday 4 January
    january = sorted(d for d in bank_holiday_dates("scotland", 2027, 2027) if d.month == 1)
    assert january == [date(2027, 1, 1), date(2027, 1, 4)]
