"""Every baseline figure says where the brief states it, and the brief does state it there.

`Baseline.where` maps each key of `figures` to a place in the brief: a section and the
lines of the text copy (../shared/brief/headline-or-trend-line-2021.txt), e.g.
"brief, key findings: Scope (lines 38-42)". A figure that is our own arithmetic or count on
the brief's material starts its `where` with "computed:" and is not looked up. Every other
numeric figure must be printed in the lines its `where` cites, in some form ("38,153" for
38153, "$879 million" for 879e6, "0.1" for 0.1, "50 percent" or "half" for 0.5); the few
that the brief writes in words are listed in WORDED with the phrase that states them.
"""

from __future__ import annotations

import re

import pytest
from services import need

from trendline.core.settings import ROOT
from trendline.indicators.registry import all_indicators

BRIEF = ROOT.parent / "shared" / "brief" / "headline-or-trend-line-2021.txt"
NOT_FROM_BRIEF = {"data.freshness"}  # says so in its citation
INDICATORS = {k: v for k, v in all_indicators().items() if k not in NOT_FROM_BRIEF}
FIGURES = sorted((i, key) for i, ind in INDICATORS.items() for key in ind.baseline.figures)
COMPUTED = "computed:"

# Figures the brief gives in words: (indicator, figure) -> (value, phrase in the cited lines).
WORDED: dict[tuple[str, str], tuple[float, str]] = {
    ("research.huawei_ru", "Huawei Russia"): (5, "Huawei Technologies, Russia (five)"),
    ("research.huawei_ru", "Skoltech"): (4, "Science and Technology (four)"),
    ("research.huawei_ru", "RAS"): (2, "Russian Academy of Sciences (two)"),
    ("research.huawei_ru", "SPIIRAS"): (2, "(an RAS institution) (two)"),
    ("research.huawei_ru", "MIPT"): (2, "Moscow Institute of Physics and Technology (two)"),
    ("research.huawei_ru", "HSE"): (2, "Higher School of Economics (two)"),
    ("research.chinese_language", "nsfc"): (11, "Eleven of the 43 CNKI papers"),
    ("research.chinese_language", "program_973"): (3, "Three additional projects were funded"),
    ("research.entity_list_collab", "cnki_papers"): (5, "five papers were co-authored"),
    ("research.entity_list_collab", "beihang_mai_2010"): (2, "Two of these five papers"),
    ("research.formalization", "nsfc_joint_projects_2020"): (2, "funded two joint projects"),
    ("investment.disclosed_flow", "2020"): (0, "2020 saw no disclosed AI investment"),
    ("investment.opacity", "undisclosed"): (5, "five additional AI investment deals"),
    ("investment.opacity", "rcif_undisclosed"): (4, "In four of these five cases"),
    ("investment.rcif_portfolio", "ai_deals"): (6, "At least six of these deals"),
}


@pytest.fixture(scope="module")
def brief_lines() -> list[str]:
    need(BRIEF.is_file(), "the brief's text copy", "check out ../shared beside the project")
    return BRIEF.read_text(encoding="utf-8").splitlines()


def flat(text: str) -> str:
    """One line, single spaces: figures and phrases may break across lines."""
    return " ".join(text.split())


def cited_lines(where: str) -> list[tuple[int, int]]:
    """The line ranges a `where` cites: "line 570", "lines 38-42, 465-467 and 496-501"."""
    spans = []
    for group in re.findall(r"\blines? (\d+(?:-\d+)?(?:(?:, | and )\d+(?:-\d+)?)*)", where):
        for a, b in re.findall(r"(\d+)(?:-(\d+))?", group):
            spans.append((int(a), int(b or a)))
    return spans


SCALES = (("billion", 1e9), ("million", 1e6))
# After a number: the end, a space or punctuation, or a footnote mark glued to the end of a
# sentence ("standing at 20,000.118 Still, ..."); never more digits, as in 1,975 or 0.04.
AFTER = r"(?=$|[^\w.,]|[.,](?!\d)|\.\d{1,3}(?:\s+[A-Z]|\s*$))"


def printed_forms(value: float) -> list[tuple[str, tuple[str, ...]]]:
    """Ways the brief may print a figure, each with the scale words that must not follow
    it: 38153 -> "38,153"; 879e6 -> "879 million" or "879"; 2.5e9 -> "2.5 billion"; 0.1 ->
    "0.1"; 0.5 -> "50 percent", "half"."""
    v = float(value)
    every = tuple(unit for unit, _ in SCALES)
    plain = [f"{int(v):,}", str(int(v))] if v.is_integer() else [f"{v:g}"]
    forms = [(f, every) for f in plain]
    for unit, scale in SCALES:
        if abs(v) >= scale:
            others = tuple(u for u in every if u != unit)
            forms += [(f"{v / scale:g} {unit}", ()), (f"{v / scale:g}", others)]
    if 0 < v < 1:
        forms.append((f"{100 * v:g} percent", ()))
        if v == 0.5:
            forms.append(("half", ()))
    return forms


def printed_in(value: float, text: str) -> bool:
    """True when `text` prints `value` as a whole token: not part of 1,975 or 0.04, not a
    footnote mark glued to a word ("output.30"), and a count never as "$879 million"."""
    for form, not_after in printed_forms(value):
        body = r"\s+".join(re.escape(part) for part in form.split())
        unit = rf"(?!\s+(?:{'|'.join(not_after)})\b)" if not_after else ""
        if re.search(rf"(?<![\w.,])(?i:{body}){AFTER}{unit}", text):
            return True
    return False


def test_matcher_reads_the_brief_s_ways_of_printing_numbers():
    text = "about 38,153 papers; $879 million; $2.5 billion; less than 0.1 percent; half of it"
    for value in (38153, 879e6, 2.5e9, 0.1, 0.5):
        assert printed_in(value, text), value
    for value in (3815, 38, 153, 879, 2.5e6, 1, 0.065, 1.97):
        assert not printed_in(value, text + " output.30 and 2,457"), value
    assert printed_in(80e6, flat("declined to $80 \nmillion in 2019"))
    assert printed_in(20000, "standing at 20,000.118 Still, Russia")
    assert not printed_in(2, "worth $2.5 billion") and not printed_in(0, "0.04 percent")
    assert cited_lines("Table 1 (line 570); (lines 38-42, 465-467 and 496-501)") == [
        (570, 570),
        (38, 42),
        (465, 467),
        (496, 501),
    ]


def test_some_indicators_carry_brief_figures():
    assert len(FIGURES) > 50 and len(INDICATORS) == len(all_indicators()) - 1


@pytest.mark.parametrize("ind_id", sorted(INDICATORS))
def test_where_covers_exactly_the_figures(ind_id):
    baseline = INDICATORS[ind_id].baseline
    missing = [k for k in baseline.figures if not str(baseline.where.get(k, "")).strip()]
    assert not missing, f"figures without a `where`: {missing}"
    stale = sorted(set(baseline.where) - set(baseline.figures))
    assert not stale, f"`where` entries for figures that do not exist: {stale}"


@pytest.mark.parametrize(("ind_id", "key"), FIGURES)
def test_figure_is_stated_where_the_brief_says_it(ind_id, key, brief_lines):
    baseline = INDICATORS[ind_id].baseline
    value, where = baseline.figures[key], baseline.where.get(key, "")
    assert isinstance(value, int | float), f"{key}: a figure is a number"
    if where.strip().lower().startswith(COMPUTED):
        return  # our own arithmetic or count, and it says so
    spans = cited_lines(where)
    assert spans, f"{key}: `where` must cite lines of the text copy, or start with 'computed:'"
    for a, b in spans:
        assert 1 <= a <= b <= len(brief_lines), f"{key}: no lines {a}-{b} in the brief"
    text = flat(" ".join(" ".join(brief_lines[a - 1 : b]) for a, b in spans))
    if (ind_id, key) in WORDED:
        stated, phrase = WORDED[ind_id, key]
        assert value == stated, f"{key}: the brief says {phrase!r}, not {value:g}"
        assert flat(phrase).lower() in text.lower(), f"{key}: {phrase!r} not in {spans}"
    else:
        assert printed_in(value, text), (
            f"{ind_id} {key}={value:g}: not printed in the brief at lines {spans}; cite where "
            "it is, add it to WORDED if the brief says it in words, or mark it 'computed:'"
        )


def test_worded_allow_list_names_real_figures():
    stale = [
        k for k in WORDED if k[0] not in INDICATORS or k[1] not in INDICATORS[k[0]].baseline.figures
    ]
    assert not stale, f"WORDED entries without a figure: {stale}"


@pytest.mark.parametrize("ind_id", sorted(INDICATORS))
def test_summary_is_in_our_own_words(ind_id, brief_lines):
    """No run of eight words of a summary is copied from the brief."""

    def words(text: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))

    brief = words(" ".join(brief_lines))
    n = 8
    grams = {tuple(brief[i : i + n]) for i in range(len(brief) - n + 1)}
    mine = words(INDICATORS[ind_id].baseline.summary)
    copied = [
        " ".join(mine[i : i + n])
        for i in range(len(mine) - n + 1)
        if tuple(mine[i : i + n]) in grams
    ]
    assert not copied, f"summary copies the brief: {copied}"
