"""Text folding for organisation names: scripts, abbreviations, segments, tokens.

`canon(text)` turns a name into the token string the matcher compares; `segments(text)`
cuts an affiliation into the comma-separated parts where an organisation name can sit.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

# Traditional -> simplified for characters common in organisation names (not a full map).
_PAIRS = (
    "學学 國国 華华 東东 電电 機机 際际 關关 發发 會会 經经 濟济 實实 驗验 術术 與与 為为 無无 "
    "線线 聯联 軍军 區区 產产 業业 醫医 藥药 長长 門门 開开 陽阳 廣广 廠厂 號号 樓楼 縣县 鄉乡 "
    "鎮镇 蘇苏 遼辽 寧宁 龍龙 濱滨 爾尔 陝陕 滬沪 運运 動动 車车 氣气 視视 訊讯 網网 絡络 計计 "
    "資资 測测 試试 導导 彈弹 衛卫 圖图 書书 館馆 師师 範范 農农 傳传 廈厦 雲云 貴贵 陸陆 漢汉 "
    "鐵铁 鋼钢 礦矿 環环 統统 處处 權权 體体 總总 裝装 備备 艦舰 飛飞 製制 設设 檢检 歐欧 羅罗 "
    "態态 語语 識识 認认 腦脑 築筑 團团 級级 獸兽 衝冲 曠旷 湯汤 從从 創创 點点 係系 進进 "
    "質质 熱热 構构 專专 務务 愛爱 黨党 島岛 灣湾 臺台 邊边 邏逻 輯辑 節节 聲声 顯显 齊齐 "
    "顧顾 輸输 屬属 擬拟 離离 將将 鳥鸟 兵兵 葉叶 陰阴 維维 龐庞 鄭郑 漢汉 韓韩 蘭兰 億亿"
)
_TRAD = str.maketrans({p[0]: p[1] for p in _PAIRS.split()})

# Web of Science style abbreviations and spelling variants -> one form.
ABBREV = {
    "univ": "university", "uni": "university", "inst": "institute", "technol": "technology",
    "tech": "technology", "sci": "science", "sciences": "science", "acad": "academy",
    "engn": "engineering", "eng": "engineering", "aeronaut": "aeronautics",
    "astronaut": "astronautics", "polytech": "polytechnical", "polytechnic": "polytechnical",
    "telecommun": "telecommunications", "natl": "national", "def": "defense",
    "defence": "defense", "centre": "center", "ctr": "center", "res": "research",
    "lab": "laboratory", "labs": "laboratory", "coll": "college", "sch": "school",
    "dept": "department", "phys": "physics", "informat": "information", "elect": "electronic",
    "elect.": "electronic", "automat": "automation", "aerosp": "aerospace",
    "corp": "corporation", "co": "company", "grp": "group", "mil": "military",
    "med": "medical", "comp": "computer", "commun": "communication", "chinese": "china",
}
STOP = frozenset({"of", "the", "and", "for", "in", "at", "de", "a", "an"})
_RU_ENDINGS = sorted(
    "ого его ому ему ыми ими ий ый ой ая яя ое ее ые ие ых их ым им ую юю ом ем ам ям ах ях ов "
    "ев ей а я о е ы и у ю ь й".split(),
    key=len, reverse=True,
)
_SPLIT = re.compile(r"[,;()\[\]{}|/\n\t，；（）【】、。：:]+")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_POSTCODE = re.compile(r"^\d{5,6}$")


def fold(text: str) -> str:
    """Unicode-normalise, casefold, fold traditional Chinese and ё."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_TRAD)
    return text.replace("ё", "е").replace("&", " and ").replace("’", "'").replace("'", "")


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def cjk_runs(text: str) -> list[str]:
    return _CJK.findall(fold(text))


def _ru_stem(token: str) -> str:
    for end in _RU_ENDINGS:
        if token.endswith(end) and len(token) - len(end) >= 3:
            return token[: -len(end)]
    return token


def tokens(text: str) -> list[str]:
    """Folded tokens with abbreviations expanded, Russian endings cut, postcodes dropped."""
    out = []
    for tok in _TOKEN.findall(fold(text)):
        if _CJK.search(tok) or _POSTCODE.match(tok):
            continue
        tok = ABBREV.get(tok, tok)
        if "а" <= tok[0] <= "я":
            tok = _ru_stem(tok)
        out.append(tok)
    if out and out[0] == "the":
        out = out[1:]
    return out


def canon(text: str) -> str:
    return " ".join(tokens(text))


def segments(text: str) -> list[str]:
    """The parts of an affiliation between separators, each folded to canonical tokens."""
    return [c for c in (canon(part) for part in _SPLIT.split(text)) if c]


# Affiliation keys: the light normal form plus the ROR id ---------------------------

_PUNCT = re.compile(r"[^\w\s]+", re.UNICODE)
_SPACE = re.compile(r"\s+")


def normalise(name: str) -> str:
    """The light normal form used in affiliation keys (the matcher folds further)."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    return _SPACE.sub(" ", _PUNCT.sub(" ", text)).strip()


@lru_cache(maxsize=1 << 16)  # an institution recurs on many works
def affiliation_key(name: str | None, ror_id: str | None) -> str:
    raw = f"{ror_id or ''}|{normalise(name or '')}"
    return hashlib.sha1(raw.encode()).hexdigest()[:32]


# Integer keys: the frames join millions of rows on numbers, never on strings ----------

_HIGH = 1 << 62


def work_key(work_id: str) -> int:
    """A stable 63-bit integer for a work id: an OpenAlex W-id's own number, else a hash."""
    if work_id[:1] == "W" and work_id[1:].isdigit() and len(work_id) < 19:
        return int(work_id[1:])
    return _HIGH | int(hashlib.sha1(work_id.encode()).hexdigest()[:15], 16)


def affiliation_code(key: str) -> int:
    """A stable 60-bit integer for an affiliation key (itself a hex digest)."""
    return int(key[:15], 16)
