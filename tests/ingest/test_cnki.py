"""CNKI exports: the real samples in ../shared/data/cnki (read in place, never copied),
plus small RefWorks, EndNote and GBK inputs written by the tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from trendline.cli import context
from trendline.core import schema
from trendline.core.db import make_engine
from trendline.core.resources import Resources
from trendline.core.settings import Settings
from trendline.tasks.ingest.parsing.cnki_formats import detect_format, read_text, split_list
from trendline.tasks.ingest.sources import cnki
from trendline.tasks.resolve.countries import country_of

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "cnki"
ESTUDY = SHARED / "cnki_estudy_export_demo_202101.txt"
NOTEEXPRESS = sorted(SHARED.glob("cnki_noteexpress_*.net"))
needs_samples = pytest.mark.skipif(not ESTUDY.exists(), reason="shared CNKI samples absent")

REFWORKS = """RT Journal Article
A1 王伟;Ivanov A.
AD 哈尔滨工业大学计算机学院;俄罗斯科学院西伯利亚分院计算技术研究所,新西伯利亚
T1 基于深度学习的遥感图像目标检测
JF 计算机学报
YR 2019
K1 深度学习;遥感;目标检测
FU 国家自然科学基金(61773000);国家重点基础研究发展计划(973计划)(2013CB000000)
DS CNKI

RT Journal Article
A1 李明
AD 浙江大学
T1 铁路货运组织优化
YR 2018
DS CNKI
"""

ENDNOTE = """%0 Journal Article
%A 张三
%A Petrov P.
%+ Skolkovo Institute of Science and Technology, Moscow;上海交通大学
%T Neural network control of robots
%J 控制理论与应用
%D 2020
%K neural network;control
%W CNKI

%0 Journal Article
%A 无题
%D 2020
%W CNKI
"""


def rows_of(paths):
    raw = cnki.read_files(paths)
    return raw, cnki.normalise(raw)


@needs_samples
def test_every_real_sample_record_loads():
    raw, batch = rows_of([ESTUDY, *NOTEEXPRESS])
    by_file = {Path(r.path).name: r for r in raw.reports}
    assert by_file[ESTUDY.name].format == "estudy"
    assert by_file[ESTUDY.name].read == by_file[ESTUDY.name].loaded == 20
    for path in NOTEEXPRESS:
        report = by_file[path.name]
        expected = path.read_text(encoding="utf-8").count("{Reference Type}:")
        assert report.format == "noteexpress" and report.read == report.loaded == expected
        assert not report.skipped
    assert len(batch.tables["works"]) == 20 + 27
    assert all(w["source"] == "cnki" and w["id"].startswith("cnki:") for w in batch.tables["works"])
    first = next(w for w in batch.tables["works"] if w["title"].startswith("1例卡培他滨"))
    assert first["publication_year"] == 2021 and first["countries"] == []  # decided in resolve
    assert first["url"].startswith("https://kns.cnki.net/")
    names = {a["institution_name"] for a in batch.tables["authorships"]}
    assert "南昌大学第一附属医院药剂科" in names


def test_refworks_endnote_detection_and_joint_ai(tmp_path):
    rw, en = tmp_path / "a.txt", tmp_path / "b.enw"
    rw.write_text(REFWORKS, encoding="utf-8-sig")
    en.write_text(ENDNOTE, encoding="gb18030")
    raw, batch = rows_of([rw, en])
    reports = {Path(r.path).name: r for r in raw.reports}
    assert (reports["a.txt"].format, reports["a.txt"].encoding) == ("refworks", "utf-8-sig")
    assert (reports["b.enw"].format, reports["b.enw"].encoding) == ("endnote", "gb18030")
    assert reports["a.txt"].ai == 1 and reports["b.enw"].ai == 1
    assert reports["b.enw"].loaded == 1 and len(reports["b.enw"].skipped) == 1
    skipped = reports["b.enw"].skipped[0]
    assert skipped.field == "record 2" and skipped.reason == "no title" and skipped.line == 11
    rw_work = next(w for w in batch.tables["works"] if w["publication_year"] == 2019)
    assert rw_work["funders"] == ["NSFC", "973 Program"]
    assert rw_work["topics"][0]["id"] == cnki.AI_TOPIC
    plain = next(w for w in batch.tables["works"] if w["title"] == "铁路货运组织优化")
    assert plain["topics"] == []
    keys = {a["affiliation_key"] for a in batch.tables["authorships"]}
    assert None not in keys and len(keys) == 5  # resolve decides their countries


@pytest.mark.parametrize("inst,country", [
    ("俄罗斯科学院", "RU"), ("莫斯科国立大学", "RU"), ("喀山联邦大学", "RU"),
    ("圣彼得堡国立信息技术机械与光学大学", "RU"), ("ITMO University, St. Petersburg", "RU"),
    ("Institute of Automation, RAS", "RU"), ("中国科学院", "CN"), ("Tsinghua Univ., China", "CN"),
    ("Texas A&M University, USA", None), ("Brasília", None),
    # traps: Belarus is not Russia (白俄罗斯 contains 俄罗斯), nor are Kazakh or Ukrainian places
    ("白俄罗斯国立大学", "BY"), ("白俄罗斯科学院信息问题联合研究所", "BY"),
    ("Belarusian State University, Minsk", "BY"), ("United Institute, White Russia", "BY"),
    ("哈萨克斯坦国立大学", "KZ"), ("Kharkiv National University", "UA"),
])
def test_country_of(inst, country):
    assert country_of(inst)[0] == country


def test_encoding_and_format_helpers(tmp_path):
    p = tmp_path / "gbk.net"
    p.write_bytes("{Reference Type}: Journal Article\n{Title}: 人工智能\n".encode("gbk"))
    text, enc = read_text(p)
    assert enc == "gb18030" and detect_format(text) == "noteexpress"
    assert split_list("1.甲；2.乙;;丙;") == ["甲", "乙", "丙"]
    assert detect_format("hello world") is None


def test_import_cnki_command(tmp_path, monkeypatch):
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    schema.metadata.create_all(engine)
    monkeypatch.setattr(context, "settings", lambda: Settings.model_construct(home=tmp_path))
    monkeypatch.setattr(context, "resources", lambda: Resources(context.settings(), engine))
    from trendline.cli.commands.import_cnki import command

    rw, bad = tmp_path / "a.txt", tmp_path / "bad.txt"
    rw.write_text(REFWORKS, encoding="utf-8")
    bad.write_text("nothing to see", encoding="utf-8")
    result = CliRunner().invoke(command, [str(rw), str(bad)])
    assert result.exit_code == 0, result.output
    assert "a.txt: refworks, utf-8: 2 read, 2 loaded, 0 skipped, 1 AI" in result.output
    assert "bad.txt: not read" in result.output and "cnki: succeeded" in result.output
    with engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(schema.works)).scalar_one()
    assert n == 2
    again = CliRunner().invoke(command, [str(rw)])
    assert "cnki: unchanged" in again.output
