"""The themes (问题类别) that rooms serve, their common aliases, and inference from a request text."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ThemeSpec:
    """A theme of the standard plan: a stable code, its Chinese and English names, keywords."""

    code: str
    name: str
    name_en: str
    keywords: tuple[str, ...]


THEMES: tuple[ThemeSpec, ...] = (
    ThemeSpec(
        "land",
        "土地拆迁",
        "Land acquisition & demolition",
        ("征地", "拆迁", "征收", "补偿款", "宅基地", "安置房", "土地", "房屋拆", "被征", "安置"),
    ),
    ThemeSpec(
        "safety_env",
        "安全生产与环境保护",
        "Work safety & environment",
        (
            "污染",
            "噪音",
            "噪声",
            "排放",
            "废水",
            "废气",
            "粉尘",
            "异味",
            "安全隐患",
            "环保",
            "养殖场",
            "垃圾焚烧",
            "化工",
            "消防",
        ),
    ),
    ThemeSpec(
        "labour",
        "劳动和社会保障",
        "Labour & social security",
        ("工资", "欠薪", "社保", "养老金", "养老保险", "医保", "工伤", "劳动合同", "失业", "讨薪", "退休"),
    ),
    ThemeSpec(
        "grassroots",
        "基层组织建设及反腐败",
        "Grassroots organisation & anti-corruption",
        (
            "村干部",
            "村委",
            "选举",
            "村务公开",
            "账目",
            "贪污",
            "侵占",
            "腐败",
            "财务公开",
            "党员",
            "集体资金",
        ),
    ),
    ThemeSpec(
        "agriculture",
        "农林水利",
        "Agriculture, forestry & water",
        ("灌溉", "水渠", "山林", "林地", "农田", "水库", "农业", "种植", "林权", "山塘", "堤坝", "补贴"),
    ),
    ThemeSpec(
        "transport",
        "交通基础设施",
        "Transport infrastructure",
        ("道路", "公路", "公交", "桥梁", "修路", "路灯", "班车", "交通", "高速", "停车"),
    ),
    ThemeSpec(
        "law",
        "涉法涉诉",
        "Law & litigation",
        ("判决", "法院", "执行", "诉讼", "公安", "派出所", "案件", "上诉", "立案", "纠纷调解", "刑事"),
    ),
    ThemeSpec(
        "urban",
        "城乡建设与住房",
        "Urban-rural construction & housing",
        ("物业", "小区", "房产证", "不动产", "漏水", "电梯", "违建", "违章建筑", "住房", "廉租", "老旧"),
    ),
    ThemeSpec(
        "edu_health",
        "教育卫生",
        "Education & health",
        ("学校", "入学", "教师", "学生", "医院", "医疗", "就医", "卫生院", "幼儿园", "疫苗"),
    ),
    ThemeSpec(
        "civil",
        "民政与社会事务",
        "Civil affairs & social matters",
        ("低保", "困难", "残疾", "救助", "五保", "殡葬", "婚姻", "养老院", "优抚", "退役军人"),
    ),
    ThemeSpec(
        "economy",
        "经济与企业",
        "Economy & enterprises",
        ("企业", "公司", "合同", "货款", "市场", "商户", "经营", "营业执照", "投资", "集资"),
    ),
    ThemeSpec("general", "综合（其他）", "General (other)", ()),
)

GENERAL = "general"
BY_CODE: dict[str, ThemeSpec] = {t.code: t for t in THEMES}
BY_NAME: dict[str, ThemeSpec] = {t.name: t for t in THEMES}

# Category words that offices write instead of the plan's theme name.
ALIASES: dict[str, str] = {
    "土地拆迁": "land",
    "拆迁": "land",
    "征地拆迁": "land",
    "土地征收": "land",
    "征地": "land",
    "土地": "land",
    "国土": "land",
    "征收": "land",
    "土地征用": "land",
    "安全生产与环境保护": "safety_env",
    "环保": "safety_env",
    "环境保护": "safety_env",
    "安全生产": "safety_env",
    "生态环境": "safety_env",
    "环境": "safety_env",
    "安全环保": "safety_env",
    "劳动和社会保障": "labour",
    "劳动社保": "labour",
    "劳动保障": "labour",
    "社保": "labour",
    "劳动": "labour",
    "人社": "labour",
    "社会保障": "labour",
    "劳资纠纷": "labour",
    "欠薪": "labour",
    "基层组织建设及反腐败": "grassroots",
    "基层组织建设": "grassroots",
    "反腐败": "grassroots",
    "党风廉政": "grassroots",
    "纪检监察": "grassroots",
    "村务": "grassroots",
    "基层组织": "grassroots",
    "农林水利": "agriculture",
    "农业": "agriculture",
    "林业": "agriculture",
    "水利": "agriculture",
    "农村农业": "agriculture",
    "三农": "agriculture",
    "交通基础设施": "transport",
    "交通": "transport",
    "交通运输": "transport",
    "道路交通": "transport",
    "涉法涉诉": "law",
    "涉法": "law",
    "涉诉": "law",
    "政法": "law",
    "法律": "law",
    "公安": "law",
    "城乡建设与住房": "urban",
    "城乡建设": "urban",
    "住房": "urban",
    "城建": "urban",
    "住建": "urban",
    "物业": "urban",
    "房产": "urban",
    "教育卫生": "edu_health",
    "教育": "edu_health",
    "卫生": "edu_health",
    "医疗卫生": "edu_health",
    "卫健": "edu_health",
    "医疗": "edu_health",
    "民政与社会事务": "civil",
    "民政": "civil",
    "社会事务": "civil",
    "低保": "civil",
    "救助": "civil",
    "经济与企业": "economy",
    "经济": "economy",
    "企业": "economy",
    "市场监管": "economy",
    "经济纠纷": "economy",
    "综合（其他）": "general",
    "综合": "general",
    "其他": "general",
    "其它": "general",
}

_PUNCT = re.compile(r"[\s\u3000()（）/、,，;；]+")


def _fold(text: str) -> str:
    return _PUNCT.sub("", text)


_FOLDED_ALIASES = {_fold(k): v for k, v in ALIASES.items()}


def from_category(category: str | None) -> str | None:
    """Theme code for a category cell (exact alias, then an alias contained in it); None if unknown."""
    if not category:
        return None
    key = _fold(category)
    if not key:
        return None
    if key in _FOLDED_ALIASES:
        return _FOLDED_ALIASES[key]
    # "劳动社保类", "环保问题": the longest alias contained in the cell
    best: tuple[int, str] | None = None
    for alias, code in _FOLDED_ALIASES.items():
        if alias in key and (best is None or len(alias) > best[0]):
            best = (len(alias), code)
    return best[1] if best else None


def infer_from_request(request: str | None) -> str:
    """Theme code guessed from the request text by keyword hits; general when nothing matches."""
    if not request:
        return GENERAL
    scores: dict[str, int] = {}
    for theme in THEMES:
        hits = sum(len(k) for k in theme.keywords if k in request)
        if hits:
            scores[theme.code] = hits
    if not scores:
        return GENERAL
    return max(scores.items(), key=lambda kv: (kv[1], -_order(kv[0])))[0]


def _order(code: str) -> int:
    return next(i for i, t in enumerate(THEMES) if t.code == code)


def resolve(category: str | None, request: str | None) -> tuple[str, bool]:
    """Theme code from the category, else inferred from the request; the flag says it was inferred."""
    code = from_category(category)
    if code is not None:
        return code, False
    return infer_from_request(request), True
