"""Pure rules: bands at their boundaries, periods, report-task fields and values, deadlines."""
from datetime import date

from django.test import SimpleTestCase

from dangjian.core.errors import DomainError
from dangjian.reports import rules

SOURCES = {"members.count_full": "正式党员人数"}


class BandTests(SimpleTestCase):
    def test_age_band_boundaries(self):
        on = date(2025, 6, 30)
        self.assertEqual(rules.band_of(date(1990, 7, 1), rules.AGE_BANDS, on), "lt35")   # 34
        self.assertEqual(rules.band_of(date(1990, 6, 30), rules.AGE_BANDS, on), "35-45")  # 35 today
        self.assertEqual(rules.band_of(date(1979, 7, 1), rules.AGE_BANDS, on), "35-45")   # 45
        self.assertEqual(rules.band_of(date(1979, 6, 30), rules.AGE_BANDS, on), "46-55")  # 46 today
        self.assertEqual(rules.band_of(date(1959, 6, 30), rules.AGE_BANDS, on), "gt65")   # 66 today
        self.assertEqual(rules.band_of(date(1959, 7, 1), rules.AGE_BANDS, on), "56-65")

    def test_leap_day_birthday_turns_over_on_the_first_of_march(self):
        self.assertEqual(rules.band_of(date(1990, 2, 29 - 1), rules.STAT_AGE_BANDS, date(2021, 2, 28)), "31-35")
        born = date(1992, 2, 29)
        self.assertEqual(rules.band_of(born, rules.STAT_AGE_BANDS, date(2022, 2, 28)), "le30")  # still 29
        self.assertEqual(rules.band_of(born, rules.STAT_AGE_BANDS, date(2023, 2, 28)), "le30")  # 30
        self.assertEqual(rules.band_of(born, rules.STAT_AGE_BANDS, date(2023, 3, 1)), "31-35")  # 31 on 1 March

    def test_party_years_50_exactly(self):
        on = date(2025, 7, 1)
        self.assertEqual(rules.band_of(date(1975, 7, 1), rules.PARTY_YEAR_BANDS, on), "50+")
        self.assertEqual(rules.band_of(date(1975, 7, 2), rules.PARTY_YEAR_BANDS, on), "30-49")

    def test_rate_half_up(self):
        self.assertEqual(rules.rate(1, 3), 33.3)
        self.assertEqual(rules.rate(2, 3), 66.7)
        self.assertEqual(rules.rate(1, 8), 12.5)
        self.assertIsNone(rules.rate(1, 0))


class PeriodTests(SimpleTestCase):
    def test_year_quarter_month(self):
        p = rules.parse_period("2024")
        self.assertEqual((p.kind, p.start, p.end, p.display), ("year", date(2024, 1, 1), date(2024, 12, 31), "2024年"))
        p = rules.parse_period("2024-Q1")
        self.assertEqual((p.code, p.start, p.end), ("2024Q1", date(2024, 1, 1), date(2024, 3, 31)))
        p = rules.parse_period("2024q4")
        self.assertEqual(p.end, date(2024, 12, 31))
        p = rules.parse_period("2024-02")
        self.assertEqual((p.code, p.end), ("2024-02", date(2024, 2, 29)))
        p = rules.parse_period("2023-12")
        self.assertEqual(p.end, date(2023, 12, 31))

    def test_junk_is_refused(self):
        for text in ("", "2024Q5", "2024Q0", "2024-13", "2024-00", "24", "1920", "2101", "abcd", "2024-1", "2024/05",
                     "2024-05-01", "２０２４"):
            with self.assertRaises(DomainError, msg=text):
                rules.parse_period(text)

    def test_year(self):
        self.assertEqual(rules.parse_year("", default=2025), 2025)
        self.assertEqual(rules.parse_year(" 2021 ", default=2025), 2021)
        for junk in ("20x1", "1920", "2101", "1e3"):
            with self.assertRaises(DomainError):
                rules.parse_year(junk, default=2025)


class FieldTests(SimpleTestCase):
    def test_parse_lines(self):
        fields = rules.parse_field_lines("党员总数*|整数|members.count_full\n说明|文本\n是否换届|选项||是、否\n\n金额|小数",
                                         sources=SOURCES)
        self.assertEqual([(f["key"], f["label"], f["type"], f["required"], f["source"]) for f in fields],
                         [("f1", "党员总数", "int", True, "members.count_full"), ("f2", "说明", "text", False, ""),
                          ("f3", "是否换届", "choice", False, ""), ("f4", "金额", "decimal", False, "")])
        self.assertEqual(fields[2]["choices"], ["是", "否"])
        self.assertEqual(rules.parse_field_lines(rules.field_lines(fields), sources=SOURCES), fields)

    def test_bad_lines_name_the_line(self):
        cases = {"": "至少", "a|整数\na": "重复", "a|布尔": "类型", "a|整数|nope.key": "数据来源", "a|选项||是": "两个选项",
                 "|整数": "不能为空", "x" * 41: "不能为空"}
        for text, word in cases.items():
            with self.assertRaises(DomainError) as ctx:
                rules.parse_field_lines(text, sources=SOURCES)
            self.assertIn(word, ctx.exception.detail, text)
        with self.assertRaises(DomainError):
            rules.parse_field_lines("\n".join(f"f{i}" for i in range(61)), sources=SOURCES)

    def test_clean_values(self):
        f = {"key": "f1", "label": "人数", "type": "int"}
        self.assertEqual(rules.clean_value(f, " 12 ", required=True), 12)
        self.assertEqual(rules.clean_value(f, "", required=False), "")
        for junk in ("1.5", "abc", "-3", "99999999999"):
            with self.assertRaises(DomainError):
                rules.clean_value(f, junk, required=False)
        with self.assertRaises(DomainError):
            rules.clean_value(f, "", required=True)
        money = {"key": "f2", "label": "金额", "type": "decimal"}
        self.assertEqual(rules.clean_value(money, "10.005", required=False), "10.01")  # half-up to the fen
        self.assertEqual(rules.clean_value(money, "10.004", required=False), "10.00")
        for junk in ("NaN", "Infinity", "1e20", "x"):
            with self.assertRaises(DomainError):
                rules.clean_value(money, junk, required=False)
        day = {"key": "f3", "label": "日期", "type": "date"}
        self.assertEqual(rules.clean_value(day, "2024-02-29", required=False), "2024-02-29")
        with self.assertRaises(DomainError):
            rules.clean_value(day, "2023-02-29", required=False)
        choice = {"key": "f4", "label": "是否", "type": "choice", "choices": ["是", "否"]}
        self.assertEqual(rules.clean_value(choice, "否", required=False), "否")
        with self.assertRaises(DomainError):
            rules.clean_value(choice, "也许", required=False)
        text = {"key": "f5", "label": "说明", "type": "text"}
        self.assertEqual(rules.clean_value(text, "=cmd|' /C calc'!A0", required=False), "=cmd|' /C calc'!A0")
        with self.assertRaises(DomainError):
            rules.clean_value(text, "字" * 501, required=False)

    def test_overdue(self):
        d = date(2025, 6, 30)
        self.assertFalse(rules.is_overdue(deadline=d, submitted_on=None, today=d))
        self.assertTrue(rules.is_overdue(deadline=d, submitted_on=None, today=date(2025, 7, 1)))
        self.assertFalse(rules.is_overdue(deadline=d, submitted_on=d, today=date(2025, 8, 1)))
        self.assertTrue(rules.is_overdue(deadline=d, submitted_on=date(2025, 7, 1), today=date(2025, 8, 1)))
