"""Bad inputs: a corpus of malformed files and settings across every importer and the
configuration. Each case has its expected exit code and one-line message (an error, or a
rejected row while the good rows are kept); none reaches the CLI's catch-all handler (no
"trendline: error: <ExceptionType>" line, no errors.log)."""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field

import pytest
from click.testing import CliRunner

from trendline.cli import main
from trendline.core.settings import DATA_DIR

BIG = "x" * 10_000_000  # a 10 MB field
CB = DATA_DIR / "demo" / "crunchbase"
FR_HEAD, FR_GOOD = (CB / "funding_rounds.csv").read_text(encoding="utf-8").splitlines()[:2]
ORGS = (CB / "organizations.csv").read_text(encoding="utf-8")
CUR_HEAD, CUR_GOOD = (DATA_DIR / "curated" / "deals.csv").read_text(
    encoding="utf-8").splitlines()[:2]
NOTE_GOOD = """{Reference Type}: Journal Article
{Title}: 基于深度学习的遥感图像目标检测
{Author}: 王伟;Ivanov A.
{Author Address}: 哈尔滨工业大学;俄罗斯科学院控制科学研究所,莫斯科
{Year}: 2019
{Keywords}: 深度学习;遥感
"""
YAML_GOOD = """deals:
  - id: bad-inputs-good
    announced_on: "2019-05-01"
    target: Good Target
    target_country: CN
    parties:
      - {name: Russia-China Investment Fund, country: RU, role: investor}
    deal_type: venture investment
    amount: undisclosed
    source_url: https://example.org/good
"""


def fr(*fields: str) -> str:
    """A funding-rounds row: the good one with some fields replaced (index=value)."""
    cells = FR_GOOD.split(",")
    for f in fields:
        i, v = f.split("=", 1)
        cells[int(i)] = v
    return ",".join(cells)


@dataclass
class Case:
    id: str
    args: list[str]  # FILE stands for the written file, ORGS for the organisations file
    content: bytes | str | None = None  # None: FILE is not written
    code: int = 0
    says: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    config: str | None = None  # TOML written as the --config file
    name: str = "input.csv"


def deals(id_, content, code, *says, name="input.csv", orgs=True):
    args = ["import-deals", "FILE"] + (["ORGS"] if orgs else [])
    return Case(id_, args, content, code, list(says), name=name)


CASES = [
    # ---- import-deals: Crunchbase exports
    deals("cb-empty-file", "", 2, "not a known deals file shape"),
    deals("cb-header-only", FR_HEAD + "\n", 0, "0 rows, 0 accepted"),
    deals("cb-wrong-columns", "a,b,c\n1,2,3\n", 2, "not a known deals file shape"),
    deals("cb-latin1", (FR_HEAD + "\n" + fr("12=Café Ünïcode")).encode("latin-1"), 2,
          "not UTF-8 text"),
    deals("cb-utf16", (FR_HEAD + "\n" + FR_GOOD).encode("utf-16"), 2, "not UTF-8 text"),
    deals("cb-binary", bytes(range(256)) * 4, 2, "cannot read"),
    deals("cb-gb18030", (FR_HEAD + "\n" + fr("12=演示公司")).encode("gb18030"), 2,
          "not UTF-8 text"),
    deals("cb-truncated-row", FR_HEAD + "\n" + FR_GOOD + "\n" + FR_GOOD[:40], 0,
          "1 accepted, 1 rejected"),
    deals("cb-10mb-field", FR_HEAD + "\n" + FR_GOOD + "\n" + fr(f'12="{BIG}"') + "\n", 0,
          "1 accepted, 1 rejected", "larger than 131,072 characters"),
    deals("cb-nul-byte", FR_HEAD + "\n" + FR_GOOD + "\n" + fr("12=Bad\0Name") + "\n", 0,
          "1 accepted, 1 rejected", "NUL character"),
    deals("cb-bad-date", FR_HEAD + "\n" + FR_GOOD + "\n" + fr("6=31/31/2020") + "\n", 0,
          "1 accepted, 1 rejected", "announced_on"),
    deals("cb-date-words", FR_HEAD + "\n" + FR_GOOD + "\n" + fr("6=last tuesday") + "\n", 0,
          "1 rejected", "announced_on"),
    deals("cb-amount-text", FR_HEAD + "\n" + FR_GOOD + "\n" + fr("7=lots", "8=lots") + "\n", 0,
          "1 rejected"),
    deals("cb-amount-negative", FR_HEAD + "\n" + FR_GOOD + "\n" + fr("7=-5", "8=-5") + "\n",
          0, "1 rejected"),
    deals("cb-unknown-currency", FR_HEAD + "\n" + FR_GOOD + "\n"
          + fr("7=", "8=100", "9=XQZ") + "\n", 0, "1 rejected", "XQZ"),
    deals("cb-missing-target", FR_HEAD + "\n" + FR_GOOD + "\n" + fr("12=") + "\n", 0,
          "1 rejected"),
    deals("cb-too-many-cells", FR_HEAD + "\n" + FR_GOOD + "\n" + FR_GOOD + ",extra,cells\n", 0,
          "2 rows"),
    deals("cb-every-row-rejected", FR_HEAD + "\n" + fr("6=never") + "\n" + fr("6=nope") + "\n",
          1, "every row was rejected"),
    deals("cb-bad-country", FR_HEAD + "\n" + FR_GOOD + "\n" + fr("4=ZZZ") + "\n", 0,
          "2 rows"),
    deals("cb-quote-unclosed", FR_HEAD + "\n" + FR_GOOD + "\n" + fr('12="unclosed') + "\n", 0,
          "2 rows"),
    deals("cb-crlf", (FR_HEAD + "\r\n" + FR_GOOD + "\r\n"), 0, "1 accepted, 0 rejected"),
    deals("cb-bom", "\ufeff" + FR_HEAD + "\n" + FR_GOOD + "\n", 0, "1 accepted, 0 rejected"),
    deals("cb-orgs-only-bad-country", ORGS.splitlines()[0] + "\n"
          + ORGS.splitlines()[1].replace(",USA,", ",Atlantis,") + "\n", 1,
          "every row was rejected", orgs=False),
    # ---- import-deals: curated CSV
    deals("cur-missing-columns", "deal_id,target\nx,y\n", 2, "not a known deals file shape"),
    deals("cur-duplicate-id", CUR_HEAD + "\n" + CUR_GOOD + "\n" + CUR_GOOD + "\n", 0,
          "1 rejected", "duplicate deal id", orgs=False),
    deals("cur-10mb-field", CUR_HEAD + "\n" + CUR_GOOD + "\n" + f'zz,2019,"{BIG}",CN\n', 0,
          "1 accepted, 1 rejected", "larger than", orgs=False),
    deals("cur-bad-date", CUR_HEAD + "\n" + CUR_GOOD + "\n"
          + CUR_GOOD.replace(CUR_GOOD.split(",")[0], "other-id", 1).replace(
              CUR_GOOD.split(",")[1], "someday", 1) + "\n", 0, "1 rejected", orgs=False),
    deals("cur-no-source-url", CUR_HEAD + "\n" + CUR_GOOD + "\n" + "nourl,2019,T,CN,,,,,,,,,\n",
          0, "1 rejected", orgs=False),
    deals("cur-all-rejected", CUR_HEAD + "\n" + "a,never,T,CN,,,,,,,,,\n", 1,
          "every row was rejected", orgs=False),
    # ---- import-deals: curated YAML
    deals("yaml-syntax", "deals: [unclosed\n", 2, "not valid YAML", name="d.yaml", orgs=False),
    deals("yaml-python-tag", "deals: !!python/object/apply:os.system ['true']\n", 2,
          "not valid YAML", name="d.yaml", orgs=False),
    deals("yaml-unknown-tag", "deals: !include other.yaml\n", 2, "not valid YAML",
          name="d.yaml", orgs=False),
    deals("yaml-top-list", "- id: a\n", 2, "expected a top-level 'deals' list", name="d.yaml",
          orgs=False),
    deals("yaml-deals-not-list", "deals: {id: a}\n", 2, "expected a top-level 'deals' list",
          name="d.yaml", orgs=False),
    deals("yaml-empty", "", 2, "expected a top-level 'deals' list", name="d.yaml", orgs=False),
    deals("yaml-item-not-mapping", YAML_GOOD + "  - just a string\n", 0, "1 rejected",
          name="d.yaml", orgs=False),
    deals("yaml-amount-list", YAML_GOOD + YAML_GOOD.split("deals:\n")[1].replace(
        "bad-inputs-good", "second").replace("amount: undisclosed", "amount: [1, 2]"), 0,
        "1 rejected", name="d.yaml", orgs=False),
    deals("yaml-date-unquoted", YAML_GOOD.replace('"2019-05-01"', "2019-05-01"), 0,
          "1 accepted", name="d.yaml", orgs=False),
    deals("yaml-missing-target", YAML_GOOD + YAML_GOOD.split("deals:\n")[1].replace(
        "bad-inputs-good", "second").replace("    target: Good Target\n", ""), 0, "1 rejected",
        name="d.yaml", orgs=False),
    deals("yaml-truncated", YAML_GOOD[: YAML_GOOD.index("source_url")] + "source_u", 2,
          "not valid YAML", name="d.yaml", orgs=False),
    deals("yaml-latin1", YAML_GOOD.replace("Good Target", "Cafe\u00e9").encode("latin-1"), 2,
          "not UTF-8 text", name="d.yaml", orgs=False),
    Case("deals-missing-file", ["import-deals", "nope.csv"], None, 2,
         ["cannot read nope.csv: No such file or directory"]),
    Case("deals-directory", ["import-deals", "FILE"], None, 2, ["cannot read", "Is a directory"],
         name="."),
    # ---- import-cnki
    Case("cnki-empty", ["import-cnki", "FILE"], "", 1, ["nothing to load"], name="e.net"),
    Case("cnki-unknown-format", ["import-cnki", "FILE"], "hello\nworld\n", 1,
         ["not read", "nothing to load"], name="e.txt"),
    Case("cnki-binary", ["import-cnki", "FILE"], bytes(range(256)) * 8, 1, ["nothing to load"],
         name="e.net"),
    Case("cnki-gb18030", ["import-cnki", "FILE"], NOTE_GOOD.encode("gb18030"), 0,
         ["1 loaded"], name="g.net"),
    Case("cnki-utf8-bom", ["import-cnki", "FILE"], "\ufeff" + NOTE_GOOD, 0, ["1 loaded"],
         name="b.net"),
    Case("cnki-no-title", ["import-cnki", "FILE"], NOTE_GOOD + "\n"
         + NOTE_GOOD.replace("{Title}: 基于深度学习的遥感图像目标检测\n", ""), 0,
         ["1 loaded, 1 skipped", "no title"], name="t.net"),
    Case("cnki-year-2150", ["import-cnki", "FILE"], NOTE_GOOD + "\n"
         + NOTE_GOOD.replace("2019", "2150").replace("遥感", "雷达"), 0,
         ["1 skipped", "impossible publication year 2150"], name="y.net"),
    Case("cnki-year-0000", ["import-cnki", "FILE"], NOTE_GOOD + "\n"
         + NOTE_GOOD.replace("2019", "0000").replace("遥感", "雷达"), 0,
         ["1 skipped", "impossible publication year 0"], name="y0.net"),
    Case("cnki-year-words", ["import-cnki", "FILE"], NOTE_GOOD + "\n"
         + NOTE_GOOD.replace("2019", "19x9").replace("遥感", "雷达"), 0,
         ["1 skipped", "not a publication year"], name="yw.net"),
    Case("cnki-all-impossible", ["import-cnki", "FILE"], NOTE_GOOD.replace("2019", "3019"), 1,
         ["impossible publication year 3019", "nothing to load"], name="a.net"),
    Case("cnki-truncated", ["import-cnki", "FILE"], NOTE_GOOD + "\n" + NOTE_GOOD[:60], 0,
         ["loaded"], name="tr.net"),
    Case("cnki-10mb-field", ["import-cnki", "FILE"], NOTE_GOOD + "\n"
         + NOTE_GOOD.replace("深度学习;遥感", BIG), 0, ["loaded"], name="big.net"),
    Case("cnki-refworks-bad-year", ["import-cnki", "FILE"],
         "RT Journal Article\nA1 王伟\nAD 浙江大学\nT1 深度学习研究\nYR 1776\nDS CNKI\n", 1,
         ["impossible publication year 1776"], name="r.txt"),
    Case("cnki-missing-file", ["import-cnki", "nope.net"], None, 2,
         ["cannot read nope.net: No such file or directory"]),
    # ---- ingest-snapshot
    Case("snap-truncated", ["ingest-snapshot", "FILE"], b"TRUNCATED", 1,
         ["truncated", "not loaded"], name="part_000.gz"),
    Case("snap-not-gzip", ["ingest-snapshot", "FILE"], b"plain text, not gzip\n", 1,
         ["unreadable", "not loaded"], name="part_000.gz"),
    Case("snap-empty-gzip", ["ingest-snapshot", "FILE"], gzip.compress(b""), 0,
         ["1 partitions read", "0 works read"], name="part_000.gz"),
    Case("snap-bad-json", ["ingest-snapshot", "FILE"],
         gzip.compress(b'{"id": "W1", "authorships": [{"countries": ["CN","RU"]\n'), 0,
         ["1 unparseable"], name="part_000.gz"),
    Case("snap-wrong-shape", ["ingest-snapshot", "FILE"],
         gzip.compress(b'{"id": 5, "authorships": ["CN", "RU"]}\n'), 0, ["1 unparseable"],
         name="part_000.gz"),
    Case("snap-empty-folder", ["ingest-snapshot", "FILE"], None, 2,
         ["no snapshot parts (updated_date=*/part_*.gz or *.parquet)"], name="."),
    Case("snap-missing", ["ingest-snapshot", "nowhere"], None, 2,
         ["cannot read nowhere: No such file or directory"]),
    Case("snap-bad-countries", ["ingest-snapshot", "FILE", "--countries", "China"],
         gzip.compress(b""), 2, ["ISO two-letter codes"], name="part_000.gz"),
    # ---- match-orgs
    Case("match-no-column", ["match-orgs", "FILE"], "name\nx\n", 2, ["no 'affiliation' column"]),
    Case("match-empty", ["match-orgs", "FILE"], "", 2, ["no 'affiliation' column"]),
    Case("match-latin1", ["match-orgs", "FILE"], "affiliation\nCaf\u00e9\n".encode("latin-1"),
         2, ["not a UTF-8 CSV"]),
    Case("match-10mb-field", ["match-orgs", "FILE"], f'affiliation\nHuawei\n"{BIG}"\nMIPT\n', 0,
         ["skipped", "larger than", "MIPT"]),
    Case("match-formula", ["match-orgs", "FILE"], "affiliation\n=HYPERLINK(\"x\")\n", 0,
         ["'=HYPERLINK"]),
    Case("match-missing", ["match-orgs", "nope.csv"], None, 2,
         ["cannot read nope.csv: No such file or directory"]),
    # ---- configuration: the file
    Case("cfg-bad-toml", ["alerts"], config="[store\nurl = 1\n", code=2, says=["not valid TOML"]),
    Case("cfg-unknown-key", ["alerts"], config="[notify]\nrepeat_hours = 3\n", code=2,
         says=["unknown key 'notify.repeat_hours'"]),
    Case("cfg-unknown-section", ["alerts"], config="[nonsense]\na = 1\n", code=2,
         says=["unknown key 'nonsense'"]),
    Case("cfg-wrong-type", ["alerts"], config='[notify]\nmax_attempts = "many"\n', code=2,
         says=["bad value for 'notify.max_attempts'"]),
    Case("cfg-out-of-range", ["alerts"], config="[notify]\nmax_attempts = 0\n", code=2,
         says=["bad value for 'notify.max_attempts'"]),
    Case("cfg-bad-literal", ["alerts"], config='[sources]\npublications = "bogus"\n', code=2,
         says=["bad value for 'sources.publications'"]),
    Case("cfg-bad-silence-date", ["alerts"],
         config='[[alerts.silences]]\nindicator = "x"\nuntil = "soon"\n', code=2,
         says=["alerts.silences.0.until"]),
    Case("cfg-bad-rule-kind", ["alerts"],
         config='[indicators."research.joint_output"]\nrules = [{ kind = "vibes" }]\n', code=2,
         says=["rules.0.kind"]),
    Case("cfg-unknown-indicator", ["alerts"], config='[indicators."research.nope"]\n', code=2,
         says=["unknown indicator id(s) in config: research.nope"]),
    Case("cfg-bad-store-url", ["alerts"], config='[store]\nurl = "nonsense"\n', code=2,
         says=["config: bad value for 'store.url': not a database URL"]),
    Case("cfg-unsupported-db", ["alerts"], config='[store]\nurl = "mysql://u@h/db"\n', code=2,
         says=["unsupported database 'mysql'"]),
    Case("cfg-missing-driver", ["alerts"], config='[store]\nurl = "postgresql+pg8000://u@h/db"\n',
         code=2, says=["pip install 'trendline[postgres]'"]),
    Case("cfg-not-utf8", ["alerts"], config=None, code=2, says=["cannot read config"],
         content="[notify]\n# caf\u00e9\n".encode("latin-1"), name="bad.toml"),
    Case("cfg-missing-file", ["--config", "nope.toml", "alerts"], None, 2,
         ["cannot read config file nope.toml: No such file or directory"]),
    Case("cfg-directory", ["--config", "FILE", "alerts"], None, 2,
         ["cannot read config file", "Is a directory"], name="."),
    # ---- configuration: the environment
    Case("env-bad-json-list", ["alerts"], env={"TRENDLINE_NOTIFY__URLS": '["a"'}, code=2,
         says=["environment variable TRENDLINE_NOTIFY__URLS: not valid JSON"]),
    Case("env-bad-json-table", ["alerts"], env={"TRENDLINE_ALERTS__SILENCES": "[{bad}]"},
         code=2, says=["environment variable TRENDLINE_ALERTS__SILENCES: not valid JSON"]),
    Case("env-bad-json-indicators", ["alerts"], env={"TRENDLINE_INDICATORS": "{"}, code=2,
         says=["environment variable TRENDLINE_INDICATORS: not valid JSON"]),
    Case("env-wrong-type", ["alerts"], env={"TRENDLINE_NOTIFY__REPEAT_INTERVAL_HOURS": "soon"},
         code=2, says=["environment variable TRENDLINE_NOTIFY__REPEAT_INTERVAL_HOURS"]),
    Case("env-unknown-literal", ["alerts"], env={"TRENDLINE_SOURCES__DEALS": "maybe"}, code=2,
         says=["environment variable TRENDLINE_SOURCES__DEALS"]),
    Case("env-bad-store-url", ["alerts"], env={"TRENDLINE_STORE__URL": "::"}, code=2,
         says=["environment variable TRENDLINE_STORE__URL: bad value for 'store.url'"]),
    Case("env-async-driver", ["alerts"], env={"TRENDLINE_STORE__URL": "postgresql+asyncpg://h/d"},
         code=2, says=["async driver 'asyncpg' not supported"]),
    Case("env-bad-apprise-url", ["deliver"],
         env={"TRENDLINE_APPRISE_URLS": "alerts=nosuch://user:s3cret@host/x"}, code=2,
         says=["notify url #1 (tag alerts) is not an Apprise URL", "the URL is not shown"]),
    Case("env-apprise-garbage", ["deliver"], env={"TRENDLINE_APPRISE_URLS": "alerts=notaurl"},
         code=2, says=["notify url #1 (tag alerts) is not an Apprise URL"]),
    Case("env-apprise-config-missing", ["deliver"],
         env={"TRENDLINE_NOTIFY__CONFIG_FILE": "/nonexistent/apprise.yml"}, code=2,
         says=["notify.config_file: no such file"]),
]


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 80 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, home, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    target = work / case.name
    if case.content is not None:
        data = case.content.encode("utf-8") if isinstance(case.content, str) else case.content
        if case.args[0] == "ingest-snapshot":
            target = work / "works" / "updated_date=2026-01-01" / case.name
            target.parent.mkdir(parents=True)
            target.write_bytes(data)
            target = work / "works"
        else:
            target.write_bytes(data)
    elif case.name == "." and case.args[0] == "ingest-snapshot":
        target = work / "empty"
        target.mkdir()
    (work / "orgs.csv").write_text(ORGS, encoding="utf-8")
    args = [str(target) if a == "FILE" else str(work / "orgs.csv") if a == "ORGS" else a
            for a in case.args]
    if case.config is not None:
        (work / "trendline.toml").write_text(case.config, encoding="utf-8")
    if case.id == "cfg-not-utf8":
        args = ["--config", str(target), *args]
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(main, args)
    out = result.output
    assert result.exit_code == case.code, out[-2000:]
    for text in case.says:
        assert text in out, out[-2000:]
    assert "trendline: error:" not in out, out[-2000:]  # never the catch-all handler
    assert not (home / "errors.log").exists() and not (work / ".trendline" / "errors.log").exists()
    assert "Traceback" not in out


CSL = (DATA_DIR / "demo" / "screening_list.csv").read_text(encoding="utf-8")
CSL_HEAD, CSL_ROW = CSL.splitlines()[0], CSL.splitlines()[1]
SCREENING = [  # (id, file content, expected status, message or reject reason)
    ("csl-wrong-columns", "a,b\n1,2\n", "failed", "not a screening-list CSV"),
    ("csl-bad-json", '{"results": [', "failed", "not valid JSON"),
    ("csl-10mb-field", CSL + f'\n"{BIG}",x\n', "succeeded", "larger than"),
    ("csl-short-row", CSL + "\nonly,two\n", "succeeded", "columns do not match the header"),
    ("csl-empty", "", "failed", "not a screening-list CSV"),
    ("csl-header-only", CSL_HEAD + "\n", "failed", "fewer than the configured minimum"),
    ("csl-latin1", (CSL_HEAD + "\n" + CSL_ROW.replace("a", "\u00e9", 1)).encode("latin-1"),
     "failed", "cannot read screening list"),
]


@pytest.mark.parametrize("case", SCREENING, ids=[c[0] for c in SCREENING])
def test_bad_screening_list(case, engine, home, tmp_path, monkeypatch):
    from trendline.core.resources import Resources
    from trendline.core.settings import load_settings
    from trendline.tasks.ingest.runner import run_source
    from trendline.tasks.ingest.sources import screening_list

    _, content, status, says = case
    path = tmp_path / "csl.csv"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    monkeypatch.setenv("TRENDLINE_SOURCES__WATCHLISTS", "live")
    monkeypatch.setenv("TRENDLINE_SOURCES__SCREENING_LIST__PATH", str(path))
    out = run_source(Resources(load_settings(), engine), screening_list.SOURCE,
                     sleep=lambda _s: None)
    assert out.status == status, out.line()
    text = out.line() + " " + " ".join(str(r) for r in out.rejects)
    assert says in text and "unexpected" not in text
