"""The resolve stage: Chinese-language counts exactly right when partners are Belarusian,
named only by a Russian city, or look Russian without being so; facts stored with how
they were decided; re-running resolves nothing twice."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from trendline.core import schema
from trendline.core.resources import Resources
from trendline.tasks.frames import load_frames
from trendline.tasks.ingest.runs import write_batch
from trendline.tasks.ingest.sources import cnki
from trendline.tasks.resolve import resolve

RECORD = """{{Reference Type}}: Journal Article
{{Title}}: {title}
{{Author}}: 甲;乙
{{Author Address}}: {cn};{other}
{{Year}}: {year}
{{Keywords}}: 深度学习;神经网络
{{Database Provider}}: CNKI

"""
CASES = [  # (year, Chinese side, the other side, counts as CN-RU)
    (2019, "哈尔滨工业大学", "新西伯利亚国立大学", True),  # a Russian city, no country named
    (2019, "浙江大学", "喀山联邦大学", True),
    (2019, "清华大学", "白俄罗斯国立大学", False),  # Belarus contains 俄罗斯
    (2020, "北京大学", "白俄罗斯科学院信息问题联合研究所,明斯克", False),
    (2020, "复旦大学", "托木斯克理工大学", True),
    (2020, "深圳北理莫斯科大学", "中国科学院自动化研究所", False),  # a Chinese campus
    (2021, "吉林大学", "哈萨克斯坦国立大学,阿拉木图", False),
    (2021, "中国社会科学院俄罗斯东欧中亚研究所", "南京大学", False),  # Russian studies, in China
    (2021, "西安交通大学", "Institute of Automation, RAS", True),
    (2021, "武汉大学", "Belarusian State University, Minsk", False),
]


def load_cnki(engine, tmp_path):
    text = "".join(RECORD.format(title=f"神经网络研究{i}", cn=cn, other=other, year=y)
                   for i, (y, cn, other, _) in enumerate(CASES))
    path = tmp_path / "traps.net"
    path.write_text(text, encoding="utf-8")
    batch = cnki.normalise(cnki.read_files([path]))
    now = dt.datetime.now(dt.UTC)
    write_batch(engine, cnki.SOURCE, batch, now, now)


def test_chinese_language_counts_survive_the_traps(engine, settings, tmp_path):
    from trendline.indicators.registry import all_indicators
    from trendline.indicators.registry import evaluate_indicator as evaluate

    load_cnki(engine, tmp_path)
    res = Resources(settings, engine)
    resolve(res)
    frames = load_frames(res, ("works", "affiliations"))
    out = evaluate(all_indicators()["research.chinese_language"], frames, dt.date(2026, 6, 1))
    expected: dict[str, float] = {}
    for year, *_, joint in CASES:
        expected[str(year)] = expected.get(str(year), 0.0) + joint
    assert out.results[0].values == expected
    with engine.connect() as conn:
        rules = dict(conn.execute(sa.select(schema.affiliation_matches.c.affiliation,
                                            schema.affiliation_matches.c.country_rule)).all())
    assert rules["白俄罗斯国立大学"] == "name: 白俄罗斯 (not Russia)"
    assert rules["新西伯利亚国立大学"] == "name: 新西伯利亚"


def test_facts_say_how_they_were_decided_and_resolve_twice_writes_nothing(demo_store,
                                                                          settings):
    from trendline.core.db import make_engine

    engine = make_engine(settings.database_url)
    res = Resources(settings, engine)
    again = resolve(res)
    assert (again.works, again.affiliations, again.parties, again.listings, again.deals) == (
        20, 0, 0, 0, 0)  # only the CNKI works, whose countries come from affiliations
    with engine.connect() as conn:
        work = conn.execute(sa.select(schema.work_facts).where(
            schema.work_facts.c.source == "openalex")).mappings().first()
        listing = conn.execute(sa.select(schema.org_listings).where(
            schema.org_listings.c.date_known.is_(False))).mappings().first()
        deal = conn.execute(sa.select(schema.deal_facts).where(
            schema.deal_facts.c.amount_status == "undisclosed")).mappings().first()
    assert work["is_ai"] and "1702" in work["ai_rule"] and "language:en" in work["definition"]
    assert work["country_rule"] == "source: OpenAlex authorships"
    assert listing["listed_on"] is None  # unknown stays unknown
    assert deal["amount_usd"] is None and deal["amount_rule"].startswith("undisclosed")
