"""A complete, plausible demo reception day after the 2006 Qujiang day: 15 rooms, ~167 batches, played to 14:30.

Deterministic for a given seed: every choice comes from random.Random(seed); the only outside input is the
date (today by default). Times are generated in local time (Asia/Shanghai, UTC+8) and stored naive in UTC.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reception_desk.db.engine import Database
from reception_desk.db.models import (
    AuditEntry,
    Batch,
    BatchMember,
    Case,
    Department,
    ReceptionDay,
    Room,
    Theme,
    ThemeDepartment,
    Visitor,
)
from reception_desk.domain import resident_id
from reception_desk.domain.batches import BatchStatus, Flag, Source, expected_minutes
from reception_desk.domain.case_numbers import format_registration_number
from reception_desk.domain.deadlines import Colour, due_date
from reception_desk.domain.names import initials
from reception_desk.domain.room_plan import TOWNSHIPS
from reception_desk.domain.themes import BY_CODE
from reception_desk.services import assignment, audit, days
from reception_desk.services.cases import CaseInput, day_calendar, record_case_in
from reception_desk.services.days import DayInfo
from reception_desk.services.flow import check_in_in, mark_no_show_in, start_session_in
from reception_desk.services.plan import departments_for_theme_in
from reception_desk.services.registrations import BATCH_FIELDS

TITLE = "衢江区领导下访接访日"
VENUE = "衢州市衢江区工贸职校（教学楼）"
BUREAU_PHONE = "0570-3023456"
UTC_OFFSET = dt.timedelta(hours=8)  # China Standard Time, no daylight saving

PRE_REGISTERED = 160
WALK_INS = 7
PLAY_UNTIL = 14 * 3600 + 30 * 60  # the demo stops at 14:30 local time
DAY_START = 8 * 3600 + 30 * 60  # rooms open at 08:30
LUNCH = (11 * 3600 + 50 * 60, 13 * 3600)  # no new session starts between 11:50 and 13:00
NO_SHOW_SWEEP = 12 * 3600 + 5 * 60  # the desk marks the morning's absentees at 12:05
DAY_END = 17 * 3600 + 30 * 60  # the last appointments end at 17:30
WORKING_SECONDS = (LUNCH[0] - DAY_START) + (DAY_END - LUNCH[1])

# ---------------------------------------------------------------------------------------------- people

SURNAMES = (
    ("徐", 9), ("王", 8), ("郑", 7), ("吴", 6), ("余", 6), ("周", 6), ("杨", 5), ("张", 5), ("刘", 4),
    ("陈", 5), ("毛", 5), ("叶", 4), ("汪", 4), ("方", 4), ("程", 3), ("姜", 3), ("傅", 3), ("祝", 3),
    ("童", 2), ("邵", 2), ("杜", 2), ("胡", 3), ("李", 4), ("黄", 3), ("柴", 2), ("姚", 2), ("严", 1),
    ("占", 2), ("鲁", 1), ("华", 1), ("蓝", 1), ("戴", 1), ("郭", 2), ("朱", 3), ("金", 2), ("钱", 1),
)  # fmt: skip
MALE_FIRST = "建国卫学志根水金德土有海春正文小永国林明伟家樟荣新云福"
MALE_SECOND = "国平强德生龙明根军华峰良财林斌勇东清荣富发松贵祥"
FEMALE_FIRST = "秀桂美玉丽雪小金月彩素红春爱菊杏凤晓丽"
FEMALE_SECOND = "英芳兰娟燕花娥凤琴梅珍娣仙霞萍娟莲香"

# Quzhou region codes: 衢江区 (most visitors), 柯城区, 江山市, 常山县, 开化县, 龙游县
REGIONS = (("330803", 14), ("330802", 2), ("330881", 1), ("330822", 1), ("330824", 1), ("330825", 1))
MOBILE_PREFIXES = (
    "133", "135", "136", "137", "138", "139", "150", "151", "152", "157",
    "158", "159", "177", "180", "181", "187", "188", "189", "199",
)  # fmt: skip

VILLAGES: dict[str, tuple[str, ...]] = {
    "樟潭街道": ("樟树潭社区", "下张村", "礼贤村", "上张村"),
    "浮石街道": ("浮石社区", "江滨社区", "双港村", "安仁村"),
    "东港街道": ("东港社区", "沙湾村", "百灵村", "皇甫村"),
    "高家镇": ("高家村", "盈川村", "下屋村", "坑口村"),
    "湖南镇": ("湖南村", "破石村", "蛟垄村", "山峰村", "项家村"),
    "莲花镇": ("莲花村", "西山下村", "五坦村", "涧峰村"),
    "杜泽镇": ("杜泽村", "铜山源村", "沐二村", "上铺村"),
    "廿里镇": ("廿里村", "石门村", "孟姜村", "大力坑村"),
    "后溪镇": ("后溪村", "上坞村", "沙埠村", "后周村"),
    "全旺镇": ("全旺村", "上坦村", "寺后村", "清泰村"),
    "大洲镇": ("大洲村", "后畈村", "钱塘村", "湘思村"),
    "上方镇": ("上方村", "吴家村", "湖仁村", "大路村"),
    "峡川镇": ("峡川村", "东坪村", "李泽村", "坑口坪村"),
    "太真乡": ("太真村", "洋坑村", "徐家坞村"),
    "云溪乡": ("云溪村", "章戴村", "棠陵邱村", "黄荆山村"),
    "黄坛口乡": ("黄坛口村", "茶坪村", "紫坞村"),
    "周家乡": ("周家村", "张家埠村", "双溪村"),
    "灰坪乡": ("灰坪村", "大坪村", "塘坑村"),
    "举村乡": ("举村村", "洋坑村", "溪源村"),
    "岭洋乡": ("岭洋村", "赖家村", "抱珠垄村"),
    "双桥乡": ("双桥村", "石柱村", "庙下村"),
}

# Room hosts by room number: the district's leaders, each with the room nearest their portfolio.
HOST_TITLES = (
    "区委书记",
    "区长",
    "副区长",
    "区委副书记",
    "区人大常委会副主任",
    "区委常委、区纪委书记",
    "副区长",
    "副区长",
    "区委常委、政法委书记",
    "区人民法院院长",
    "区委常委、副区长",
    "副区长",
    "区政协副主席",
    "常务副区长",
    "区信访局局长",
)

# ---------------------------------------------------------------------------------------------- matters

PROJECTS = (
    "衢江大道东延工程",
    "杭衢高铁衢江段",
    "S222省道改建工程",
    "高铁新城开发项目",
    "沿江公路樟潭段",
    "东港工业园区扩区项目",
    "乌溪江引水工程",
    "城市污水处理厂扩建工程",
    "G235国道改线工程",
)
ROADS = ("衢江大道", "G235国道", "S222省道", "东港快速路", "沿江公路", "杜泽至高家公路")
RIVERS = ("衢江", "乌溪江", "铜山源水库下游", "芝溪")
COMPANY_PLACES = ("衢州", "衢江", "浙江")
COMPANY_WORDS = ("恒达", "鑫源", "华盛", "巨龙", "永兴", "宏远", "金泰", "瑞丰", "佳和", "天顺", "润达", "联丰")
INDUSTRIES = ("建材", "纸业", "化工", "纺织", "木业", "矿业", "食品", "机械", "建筑工程", "房地产开发", "物流")
PLANT_KINDS = ("化工厂", "造纸厂", "塑料厂", "砖瓦厂", "水泥厂", "电镀厂", "再生资源回收厂")
COMMUNITIES = ("江滨花园", "锦绣华庭", "盈川小区", "樟潭新村", "东港嘉园", "衢江名苑", "阳光水岸", "信安花苑")
HOSPITALS = ("衢江区人民医院", "衢江区中医医院", "衢州市人民医院", "衢州市中医医院")
MARKETS = ("樟潭农贸市场", "杜泽农贸市场", "东港菜市场", "高家农贸市场")
GOODS = ("木材", "石料", "纸箱", "五金配件", "饲料", "钢材", "水泥")
ASSETS = ("山林", "厂房", "店面房", "鱼塘", "砂场")
INJURIES = ("右手三根手指被机器压断", "从脚手架摔下致腰椎骨折", "被叉车撞伤左腿", "眼睛被化学品灼伤")
RELATIVES = ("本人", "丈夫", "儿子", "父亲", "妻子")
RESERVOIRS = ("山塘", "小水库", "堰坝")


@dataclass(frozen=True)
class Template:
    """A request with slots, and the department that usually takes it (None: the theme's first default)."""

    text: str
    department: str | None = None

    @property
    def fits_groups(self) -> bool:
        """True when the request reads well for a collective visit (a village's or many people's matter)."""
        return any(slot in self.text for slot in ("{who}", "{v}", "{workers}"))


T = Template
REQUESTS: dict[str, tuple[Template, ...]] = {
    "land": (
        T("{v}土地被{project}征用共{mu}亩，征地补偿款尚有{amount_big}未发放到户，要求尽快兑付。", "征收办"),
        T(
            "{year_ago}年{v}旧村改造房屋被拆除，安置房至今未交付，{who}一直在外租房，要求明确交房时间并补发过渡费。",
            "征收办",
        ),
        T("{project}征收涉及{who}住房，评估面积比实际少了{area}平方米，补偿标准偏低，要求重新丈量评估。", "征收办"),
        T("{company}未办理用地手续，在{v}占用基本农田{mu}亩堆放建材，要求依法查处并恢复耕地。", "自然资源和规划分局"),
        T("宅基地申请多年未批，一家{family}口挤住在老屋，要求按政策审批建房用地。", "自然资源和规划分局"),
    ),
    "safety_env": (
        T("{v}附近的{plant}长期在夜间排放废气，气味刺鼻，村民头晕咳嗽，要求环保部门查处。", "生态环境分局"),
        T("{plant}的废水直排{river}，下游鱼塘死鱼、农田灌溉受影响，要求停产整改并赔偿损失。", "生态环境分局"),
        T("村口{quarry}放炮采石，震裂{v}多户房屋墙体，粉尘很大，要求停止开采并对房屋进行安全鉴定。", "应急管理局"),
        T("{v}一处规模养猪场距居民区不足百米，粪污横流、蚊蝇成群，要求搬迁或整改。", "生态环境分局"),
        T("{company}仓库存放大量易燃化工原料，紧邻{v}小学，存在消防安全隐患，要求检查整改。", "应急管理局"),
    ),
    "labour": (
        T(
            "{who}在{company}务工，被拖欠{months}个月工资共{amount_big}，老板避而不见，要求帮助追讨欠薪。",
            "人力资源和社会保障局",
        ),
        T(
            "{who}在{company}上班时发生工伤（{injury}），单位不申报工伤认定也不支付医疗费，要求落实工伤待遇。",
            "人力资源和社会保障局",
        ),
        T(
            "原{t}乡镇企业职工，{year_ago}年企业改制后社保断缴，要求补缴养老保险并核定退休待遇。",
            "人力资源和社会保障局",
        ),
        T(
            "{project}工地包工头卷款失联，{workers}名农民工工资{amount_big}无着落，要求总承包单位先行垫付。",
            "人力资源和社会保障局",
        ),
        T("已到退休年龄，因档案出生日期与身份证不一致，养老金迟迟不能办理，要求核实认定。", "人力资源和社会保障局"),
        T("家人患大病住院，异地就医报销比例低、手续繁琐，要求按规定报销医药费。", "医疗保障局"),
    ),
    "grassroots": (
        T("反映{v}村干部在{project}补偿款分配中优亲厚友，要求公开分配明细。", "区纪委区监委"),
        T("{v}村集体{asset}出租收入多年未公开，账目不清，怀疑被个别村干部侵占，要求审计。", "区纪委区监委"),
        T("{v}村委会换届选举中有人拉票贿选，要求调查处理。", "区委组织部"),
        T("{v}村务公开栏长期不更新，村级财务公开流于形式，要求规范村务公开。", "区委组织部"),
        T("反映{t}某站所工作人员办事推诿、吃拿卡要，要求查处。", "区纪委区监委"),
    ),
    "agriculture": (
        T("{v}的{reservoir}年久失修，坝体渗漏，汛期存在安全隐患，要求列入除险加固计划。", "林业水利局"),
        T("{v}的灌溉水渠被{project}施工截断，{mu}亩农田无法灌溉，要求尽快恢复。", "林业水利局"),
        T("与邻村山林权属纠纷多年未决，林权证界址与实际不符，要求重新勘界确权。", "林业水利局"),
        T("因实行乌溪江库区水资源保护，{v}群众生产受限、增收困难，要求落实库区扶持政策和下山脱贫补助。", "农业农村局"),
        T("承包{mu}亩耕地种粮，耕地地力保护补贴和种粮补贴至今未发放，要求核实发放。", "农业农村局"),
        T("{v}农田被野猪大面积破坏，今年水稻减产严重，要求组织捕猎并给予补偿。", "林业水利局"),
    ),
    "transport": (
        T("{v}至{t}集镇的道路路面破损严重，雨天积水，学生上学不便，要求修复拓宽。"),
        T("{project}施工的重型车辆碾压村道，道路损坏、扬尘严重，要求施工方修复。"),
        T("{v}没有公交班车，老人就医出行困难，要求开通或延伸公交线路。"),
        T("{v}村口危桥多年未改造，只能单车通行，存在安全隐患，要求重建。"),
        T("{road}与{v}村道交叉口没有信号灯，近年多次发生交通事故，要求设置信号灯和减速带。"),
    ),
    "law": (
        T(
            "{year_ago}年民事判决已生效，对方拒不履行{amount_small}还款义务，申请执行至今无果，要求加大执行力度。",
            "区法院",
        ),
        T("{relative}被人打伤，派出所至今未对打人者作出处理，要求依法处理。", "公安分局"),
        T("对{year_ago}年宅基地纠纷一审判决不服，认为认定事实有误，要求依法再审。", "区法院"),
        T("被人以投资理财为名骗走{amount_big}，报案{months}个月未有进展，要求加快侦办、追回损失。", "公安分局"),
        T("与邻居因排水沟引发纠纷，多次调解未果，要求司法所依法调处。", "司法局"),
        T("对检察机关不予立案监督的决定有异议，要求重新审查。", "区检察院"),
    ),
    "urban": (
        T("{community}物业服务差、乱收费，电梯多次困人，要求更换物业公司。"),
        T("购买{company}开发的{community}商品房已交房{months}个月，至今办不出不动产权证，要求协调办理。"),
        T("邻居在屋顶违章搭建，挡住采光并造成我家屋面漏水，要求依法拆除。"),
        T("{community}是老旧小区，下水管道经常堵塞、外墙脱落，要求列入老旧小区改造计划。"),
        T("家中住房为危房，经济困难无力翻建，要求列入农村困难家庭危房改造。"),
    ),
    "edu_health": (
        T("孩子户籍在{t}，随父母在城区居住，申请就近入学未获批准，要求解决入学问题。", "教育局"),
        T("{v}小学撤并后，孩子每天上学往返{km}公里，要求开通校车或恢复教学点。", "教育局"),
        T("家人在{hospital}手术后出现并发症，对医疗费用和处理结果有异议，要求组织医疗事故鉴定。", "卫生健康局"),
        T("{t}卫生院医生少、药品不全，村民看病要跑到城区，要求加强乡镇卫生院建设。", "卫生健康局"),
        T("曾任民办代课教师{years_taught}年，要求落实原代课教师养老保险补助。", "教育局"),
        T("孩子患罕见病，特效药不在医保目录内，家庭负担沉重，要求给予医疗救助。", "医疗保障局"),
    ),
    "civil": (
        T("家庭困难，丈夫患尿毒症长期透析，申请低保被拒，要求重新审核。"),
        T("本人是退役军人，{enlisted}年入伍，要求落实相关优抚待遇。"),
        T("残疾人两项补贴被停发，要求说明原因并恢复发放。"),
        T("{t}敬老院条件差，五保老人照料不到位，要求改善。"),
        T("家中遭遇火灾房屋烧毁，一家{family}口无处居住，申请临时救助。"),
    ),
    "economy": (
        T("向{company}供应{goods}，被拖欠货款{amount_big}，企业已停产，要求帮助追讨。", "经济和信息化局"),
        T("{market}改造后摊位租金大幅上涨，商户经营困难，要求降低租金。", "市场监督管理局"),
        T("参与{company}内部集资{amount_big}，公司资金链断裂无法兑付，要求政府介入处置。", "经济和信息化局"),
        T("个体工商户营业执照办理多次被退回，要求一次性告知需补充的材料并加快办理。", "市场监督管理局"),
        T("{company}关停后厂房闲置多年，要求招商引资盘活厂房，解决{v}村民就近就业。", "经济和信息化局"),
    ),
    "general": (
        T("{v}自来水水质差、经常停水，要求改善农村饮用水。"),
        T("{v}村民建房审批时间长，要求简化农房审批手续。"),
        T("{v}一带手机信号差，经常打不通电话，要求增设通信基站。"),
        T("{v}垃圾清运不及时，垃圾桶满溢，要求增加清运频次。"),
        T("对此前反映的{t}集镇改造问题答复不满意，要求领导重新过问。"),
    ),
}

# Pre-registrations by theme (busy themes have two rooms), and the themes of collective visits.
THEME_WEIGHTS = (
    ("land", 24), ("safety_env", 11), ("labour", 22), ("grassroots", 11), ("agriculture", 11),
    ("transport", 10), ("law", 20), ("urban", 11), ("edu_health", 10), ("civil", 11), ("economy", 10),
    ("general", 6),
)  # fmt: skip
_SURNAME_NAMES = tuple(name for name, _ in SURNAMES)
_SURNAME_WEIGHTS = tuple(weight for _, weight in SURNAMES)
_REGION_CODES = tuple(code for code, _ in REGIONS)
_REGION_WEIGHTS = tuple(weight for _, weight in REGIONS)
_THEME_CODES = tuple(code for code, _ in THEME_WEIGHTS)
_THEME_WEIGHTS = tuple(weight for _, weight in THEME_WEIGHTS)
GROUP_THEMES = ("land", "labour", "safety_env", "grassroots", "transport", "agriculture")

INSTRUCTIONS: dict[str, tuple[str, ...]] = {
    "handed_over": (
        "请{lead}牵头，{co}{days}日内调查核实，依法依规提出处理意见，并将结果反馈来访人。",
        "此事由{lead}负责落实，{co}{due}前书面反馈办理情况，区信访局跟踪督办。",
        "群众反映的问题要高度重视，{lead}派专人上门了解情况，{co}{days}日内给出明确答复。",
        "请{lead}{co}现场踏勘，{days}日内拿出解决方案；能解决的马上解决，暂时解决不了的要向群众讲清楚。",
        "{lead}为责任单位，{co}首问负责、事不过夜，{due}前反馈，办理结果报区信访局。",
    ),
    "resolved": (
        "经现场协调，{lead}当场答复并明确了办理时限，来访人表示满意。",
        "{lead}负责同志当场作出承诺并落实，来访人表示认可。",
        "当场电话联系{lead}，问题已协调解决，来访人满意离开。",
    ),
    "explained": (
        "经核实，来访人所提诉求已依法处理终结，{lead}当场作了政策解释和法律释明，来访人表示理解。",
        "来访人诉求不符合现行政策规定，已向其耐心解释，请{lead}继续做好跟踪和思想疏导工作。",
        "该事项属于司法程序范围，已告知来访人通过法律途径解决，{lead}提供法律援助咨询。",
    ),
}


@dataclass(eq=False)
class _Person:
    name: str
    id_number: str | None
    id_valid: bool
    phone: str


@dataclass(eq=False)
class _BatchPlan:
    walk_in: bool
    sequence: int
    lead: _Person
    companions: list[_Person]
    headcount: int
    theme: str
    template: Template
    request: str
    township: str
    village: str
    registered_at: int  # seconds from local midnight of the day (negative: days before)
    flags: list[str] = field(default_factory=list)
    arrival: int | None = None  # walk-ins: when they came (seconds from local midnight)

    @property
    def reg_no(self) -> str:
        return format_registration_number(self.walk_in, self.sequence)


class _Generator:
    """Draws the day's people and matters from one random stream."""

    def __init__(self, rng: random.Random, date: dt.date) -> None:
        self.rng = rng
        self.date = date
        self.ids: set[str] = set()

    # ---------------------------------------------------------------------------------- people
    def surname(self) -> str:
        return self.rng.choices(_SURNAME_NAMES, _SURNAME_WEIGHTS)[0]

    def given(self, male: bool) -> str:
        first, second = (MALE_FIRST, MALE_SECOND) if male else (FEMALE_FIRST, FEMALE_SECOND)
        if self.rng.random() < 0.12:
            return self.rng.choice(second)
        return self.rng.choice(first) + self.rng.choice(second)

    def phone(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def id_number(self, male: bool, born: dt.date) -> str:
        while True:
            region = self.rng.choices(_REGION_CODES, _REGION_WEIGHTS)[0]
            sequence = self.rng.randrange(500) * 2 + (1 if male else 0)
            number = resident_id.make(region, born, sequence)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def person(self, surname: str | None = None, oldest: int = 82, youngest: int = 22) -> _Person:
        male = self.rng.random() < 0.62
        age = self.rng.randint(youngest, oldest)
        born = dt.date(self.date.year - age, self.rng.randint(1, 12), self.rng.randint(1, 28))
        name = (surname or self.surname()) + self.given(male)
        phone = self.phone() if self.rng.random() < 0.93 else ""
        return _Person(name, self.id_number(male, born), True, phone)

    def hosts(self) -> list[str]:
        names: list[str] = []
        while len(names) < len(HOST_TITLES):
            name = self.surname() + self.given(self.rng.random() < 0.8)
            if name not in names:
                names.append(name)
        return [f"{title} {name}" for title, name in zip(HOST_TITLES, names, strict=True)]

    # ---------------------------------------------------------------------------------- matters
    def money(self, low: int, high: int) -> str:
        amount = self.rng.randint(low, high)
        if amount >= 10_000:
            return f"{amount / 10_000:.1f}万元".replace(".0万", "万")
        return f"{amount}元"

    def company(self) -> str:
        rng = self.rng
        return f"{rng.choice(COMPANY_PLACES)}{rng.choice(COMPANY_WORDS)}{rng.choice(INDUSTRIES)}有限公司"

    def slots(self, township: str, village: str, headcount: int) -> dict[str, str]:
        rng = self.rng
        year = self.date.year
        word = rng.choice(COMPANY_WORDS)
        return {
            "t": township,
            "v": village,
            "who": "本人" if headcount == 1 else f"本人等{headcount}人",
            "company": self.company(),
            "plant": f"{word}{rng.choice(PLANT_KINDS)}",
            "quarry": f"{rng.choice(COMPANY_WORDS)}石料厂",
            "project": rng.choice(PROJECTS),
            "road": rng.choice(ROADS),
            "river": rng.choice(RIVERS),
            "community": rng.choice(COMMUNITIES),
            "hospital": rng.choice(HOSPITALS),
            "market": rng.choice(MARKETS),
            "goods": rng.choice(GOODS),
            "asset": rng.choice(ASSETS),
            "injury": rng.choice(INJURIES),
            "relative": rng.choice(RELATIVES),
            "reservoir": rng.choice(RESERVOIRS),
            "amount_small": self.money(3_000, 90_000),
            "amount_big": self.money(20_000, 1_800_000),
            "mu": str(rng.randint(2, 80)),
            "area": str(rng.randint(15, 120)),
            "year_ago": str(year - rng.randint(1, 8)),
            "enlisted": str(year - rng.randint(25, 45)),
            "months": str(rng.randint(2, 14)),
            "workers": str(headcount if headcount > 1 else rng.randint(6, 40)),
            "km": str(rng.randint(4, 20)),
            "years_taught": str(rng.randint(8, 25)),
            "family": str(rng.randint(3, 6)),
        }

    def headcount(self) -> int:
        roll = self.rng.random()
        if roll < 0.58:
            return 1
        if roll < 0.82:
            return self.rng.randint(2, 3)
        if roll < 0.91:
            return 4
        return self.rng.randint(5, 20)  # collective visit

    def batch(self, walk_in: bool, sequence: int, registered_at: int) -> _BatchPlan:
        rng = self.rng
        headcount = self.headcount()
        if headcount >= 5:
            theme = rng.choice(GROUP_THEMES)
            templates = [t for t in REQUESTS[theme] if t.fits_groups]
        else:
            theme = rng.choices(_THEME_CODES, _THEME_WEIGHTS)[0]
            templates = list(REQUESTS[theme])
        template = rng.choice(templates)
        township = rng.choice(TOWNSHIPS)
        village = rng.choice(VILLAGES[township])
        request = template.text.format(**self.slots(township, village, headcount))
        lead = self.person(oldest=80, youngest=28)
        companions: list[_Person] = []
        if headcount >= 5:  # a village's group: a few of them give their names
            for _ in range(min(headcount - 1, rng.randint(2, 5))):
                companions.append(self.person())
        else:
            family = lead.name[0]
            for _ in range(headcount - 1):
                companions.append(self.person(family if rng.random() < 0.6 else None))
        return _BatchPlan(
            walk_in=walk_in,
            sequence=sequence,
            lead=lead,
            companions=companions,
            headcount=headcount,
            theme=theme,
            template=template,
            request=request,
            township=township,
            village=village,
            registered_at=registered_at,
        )

    def batches(self) -> list[_BatchPlan]:
        rng = self.rng
        # pre-registration ran over the ten days before the day, office hours
        times = sorted(
            -rng.randint(2, 10) * 86_400 + rng.randint(8 * 3600 + 30 * 60, 17 * 3600) for _ in range(PRE_REGISTERED)
        )
        plans = [self.batch(False, i + 1, t) for i, t in enumerate(times)]
        arrivals = sorted(rng.randint(8 * 3600 + 40 * 60, 14 * 3600) for _ in range(WALK_INS))
        for i, arrival in enumerate(arrivals):
            plan = self.batch(True, i + 1, arrival - rng.randint(120, 420))
            plan.arrival = arrival
            plans.append(plan)
        self._flag(plans)
        return plans

    def _flag(self, plans: list[_BatchPlan]) -> None:
        rng = self.rng
        singles = [p for p in plans if not p.walk_in and p.headcount == 1]
        # an ID number mistyped on the pre-registration sheet: the desk must check the card
        typo, first, second = rng.sample(singles, 3)
        good = typo.lead.id_number or ""
        wrong = next(c for c in "0123456789X" if c != good[-1])
        typo.lead = _Person(typo.lead.name, good[:-1] + wrong, False, typo.lead.phone)
        typo.flags.append(Flag.ID_TO_CHECK.value)
        # the same person registered two matters: the later one is a possible duplicate
        early, late = sorted((first, second), key=lambda p: p.sequence)
        late.lead = early.lead
        late.township, late.village = early.township, early.village
        late.flags.append(Flag.DUPLICATE.value)
        # one walk-in came without the ID card
        walk_in = next(p for p in plans if p.walk_in and p.headcount == 1)
        walk_in.lead = _Person(walk_in.lead.name, None, False, walk_in.lead.phone or self.phone())


def _utc(date: dt.date, seconds: int) -> dt.datetime:
    """Naive UTC of a moment given as seconds from local midnight of `date` (may be negative)."""
    return dt.datetime.combine(date, dt.time()) + dt.timedelta(seconds=seconds) - UTC_OFFSET


def _register_all(
    session: Session, day_id: int, date: dt.date, plans: Sequence[_BatchPlan], actor: str, seed: int
) -> None:
    theme_ids = {t.code: t.id for t in session.scalars(select(Theme))}
    wanted = [p.id_number for plan in plans for p in (plan.lead, *plan.companions) if p.id_number]
    known = {
        v.id_number: v for v in session.scalars(select(Visitor).where(Visitor.id_number.in_(wanted))) if v.id_number
    }  # people of an earlier (demo) day are the same people again
    visitors: dict[int, Visitor] = {}

    def visitor(person: _Person, plan: _BatchPlan) -> Visitor:
        if id(person) in visitors:
            return visitors[id(person)]
        if person.id_number:
            row = known.get(person.id_number)
        else:  # no ID card: the same person by name and phone, as the desk finds them
            row = session.scalar(
                select(Visitor)
                .where(Visitor.name == person.name, Visitor.phone == person.phone, Visitor.id_number.is_(None))
                .limit(1)
            )
        if row is None:
            row = Visitor(
                name=person.name,
                name_initials=initials(person.name),
                id_number=person.id_number,
                id_valid=person.id_valid,
                phone=person.phone,
                township=plan.township,
                village=plan.village,
                created_at=_utc(date, plan.registered_at),
            )
            session.add(row)
        visitors[id(person)] = row
        return row

    batches: list[Batch] = []
    for plan in plans:
        people = list(dict.fromkeys(visitor(p, plan) for p in (plan.lead, *plan.companions)))
        batch = Batch(
            day_id=day_id,
            reg_no=plan.reg_no,
            lead=people[0],
            headcount=plan.headcount,
            theme_id=theme_ids[plan.theme],
            request=plan.request,
            category_text=BY_CODE[plan.theme].name,
            township=plan.township,
            village=plan.village,
            source=(Source.WALK_IN if plan.walk_in else Source.PRE_REGISTERED).value,
            status=BatchStatus.REGISTERED.value,
            flags=sorted(plan.flags),
            import_source=f"演示数据（seed={seed}）",
            registered_at=_utc(date, plan.registered_at),
        )
        batch.members = [BatchMember(visitor=v, position=i, is_lead=i == 0) for i, v in enumerate(people)]
        session.add(batch)
        batches.append(batch)
    session.flush()
    audit.record_many(
        session,
        [
            {
                "at": b.registered_at,
                "actor": actor,
                "action": "register",
                "entity": "batch",
                "entity_id": b.id,
                "before": None,
                "after": audit.snapshot(b, BATCH_FIELDS),
                "reason": "",
            }
            for b in batches
        ],
    )


# ---------------------------------------------------------------------------------------------- the day


@dataclass(order=True)
class _Event:
    at: int  # seconds from local midnight
    kind: int  # at the same moment: no-show sweep, check-in, finish, start
    reg_no: str
    action: str = field(compare=False)
    batch_id: int = field(compare=False)
    member_ids: tuple[int, ...] = field(compare=False, default=())


NO_SHOW, CHECK_IN, FINISH, START = range(4)


def _working_clock(worked: int) -> int:
    """The time of day after `worked` seconds of the rooms' working time (the lunch break skipped)."""
    morning = LUNCH[0] - DAY_START
    return DAY_START + worked if worked < morning else LUNCH[1] + worked - morning


def _simulate(rng: random.Random, batches: list[Batch], walk_in_arrivals: dict[str, int]) -> list[_Event]:
    """The day up to PLAY_UNTIL as events: arrivals, absentees, each room working through its queue."""
    by_room: dict[int, list[Batch]] = {}
    for b in sorted(batches, key=lambda b: (b.room_id or 0, b.queue_position or 0)):
        if b.room_id is not None:
            by_room.setdefault(b.room_id, []).append(b)
    arrival: dict[str, int] = {}
    spacing: dict[int, int] = {}  # seconds of working time per appointment, by room
    for room_id, room_batches in by_room.items():
        # the bureau spread each room's pre-registered batches over the working day; people come early
        booked = [b for b in room_batches if b.reg_no not in walk_in_arrivals]
        spacing[room_id] = WORKING_SECONDS // max(1, len(booked))
        for k, b in enumerate(booked):
            appointment = _working_clock(k * spacing[room_id])
            earliest = 7 * 3600 + 50 * 60 + rng.randint(0, 30) * 60  # the gate opens at 07:50
            arrival[b.reg_no] = max(earliest, appointment - rng.randint(5, 40) * 60) + rng.randint(0, 59)
        for b in room_batches:
            if b.reg_no in walk_in_arrivals:
                arrival[b.reg_no] = walk_in_arrivals[b.reg_no]

    events: list[_Event] = []
    pre_morning = sorted(
        (b for b in batches if b.reg_no not in walk_in_arrivals and arrival[b.reg_no] < 11 * 3600),
        key=lambda b: b.reg_no,
    )
    absent = rng.sample(pre_morning, 5)
    late = absent[0]  # came after all, in the afternoon
    for b in absent:
        events.append(_Event(NO_SHOW_SWEEP, NO_SHOW, b.reg_no, "no_show", b.id))
        del arrival[b.reg_no]
    arrival[late.reg_no] = 13 * 3600 + rng.randint(20, 70) * 60

    for b in batches:
        came = arrival.get(b.reg_no)
        if came is None or came > PLAY_UNTIL:
            continue
        members = [m.id for m in b.members]
        lead, others = members[:1], members[1:]
        together = [m for m in others if rng.random() < 0.7]
        later = [m for m in others if m not in together]
        events.append(_Event(came, CHECK_IN, b.reg_no, "check_in", b.id, tuple(lead + together)))
        for member in later:
            if b.headcount >= 5 and rng.random() < 0.25:
                continue  # a named companion of the group never turned up
            at = came + rng.randint(2, 20) * 60 + rng.randint(0, 59)
            if at <= PLAY_UNTIL:
                events.append(_Event(at, CHECK_IN, b.reg_no, "check_in", b.id, (member,)))

    for room_id, room_batches in by_room.items():
        queue = sorted(
            (b for b in room_batches if arrival.get(b.reg_no, PLAY_UNTIL + 1) <= PLAY_UNTIL),
            key=lambda b: (arrival[b.reg_no], b.queue_position or 0),
        )
        clock = DAY_START
        while queue:
            ready = [b for b in queue if arrival[b.reg_no] <= clock]
            if not ready:
                clock = arrival[queue[0].reg_no]
                continue
            b = ready[0]  # what call_next picks: earliest arrival, then queue position
            start = clock + rng.randint(60, 240)
            if LUNCH[0] <= start < LUNCH[1]:
                start = LUNCH[1] + rng.randint(0, 120)
            if start >= PLAY_UNTIL:
                break
            queue.remove(b)
            events.append(_Event(start, START, b.reg_no, "start", b.id))
            # leaders of lighter rooms take the time they have
            length = max(
                expected_minutes(b.headcount) * 60 * rng.uniform(1.3, 2.0),
                spacing[room_id] * rng.uniform(0.75, 1.0),
            )
            end = start + int(length)
            if end > PLAY_UNTIL:
                break  # still in session at the end of the demo
            events.append(_Event(end, FINISH, b.reg_no, "finish", b.id))
            clock = end
    return sorted(events)


class _CaseWriter:
    """Chooses what each room decided: outcome, colour, departments and the leader's words."""

    def __init__(self, session: Session, rng: random.Random, day: ReceptionDay) -> None:
        self.rng = rng
        self.date = day.date
        self.calendar = day_calendar(day)
        self.by_theme: dict[str, list[Department]] = {}
        for theme in session.scalars(select(Theme).order_by(Theme.sort_order)):
            ranked = departments_for_theme_in(session, theme.code)
            defaults = set(
                session.scalars(select(ThemeDepartment.department_id).where(ThemeDepartment.theme_id == theme.id))
            )
            self.by_theme[theme.code] = [d for d in ranked if d.id in defaults] or ranked[:1]
        self.by_name = {d.name: d for d in session.scalars(select(Department).order_by(Department.id))}

    @staticmethod
    def _text(dept: Department) -> str:
        if dept.kind == "township" or dept.name.startswith("区"):
            return dept.name
        return "区" + dept.name

    def case(self, batch: Batch, theme: str, template: Template | None) -> CaseInput:
        rng = self.rng
        collective = batch.headcount >= 5
        outcome = rng.choices(("handed_over", "resolved", "explained"), (70, 16, 14) if collective else (58, 22, 20))[0]
        defaults = self.by_theme[theme]
        hinted = self.by_name.get(template.department) if template and template.department else None
        lead = hinted if hinted is not None and rng.random() < 0.8 else rng.choice(defaults)
        co: list[Department] = []
        colour: str | None = None
        if outcome == "handed_over":
            colour = rng.choices(("green", "yellow", "red"), (2, 5, 5) if collective else (7, 8, 5))[0]
            town = self.by_name.get(batch.township)
            if town is not None and town.id != lead.id and rng.random() < 0.45:
                co.append(town)
            others = [d for d in defaults if d.id != lead.id]
            if others and rng.random() < 0.3:
                co.append(rng.choice(others))
        elif outcome == "resolved" and rng.random() < 0.3:
            colour = "green"
        kind = Colour(colour or "yellow")
        due = due_date(self.date, kind, self.calendar)
        co_text = f"会同{'、'.join(self._text(d) for d in co)}，" if co else ""
        words = rng.choice(INSTRUCTIONS[outcome]).format(
            lead=self._text(lead), co=co_text, days=kind.days, due=f"{due.month}月{due.day}日"
        )
        return CaseInput(
            request=batch.request,
            instruction=words,
            outcome=outcome,
            colour=colour,
            lead_department_id=lead.id,
            co_department_ids=[d.id for d in co],
        )


def _play(
    session: Session, day_id: int, date: dt.date, rng: random.Random, plans: Sequence[_BatchPlan], actor: str
) -> None:
    batches = list(
        session.scalars(
            select(Batch)
            .where(Batch.day_id == day_id)
            .options(selectinload(Batch.members), selectinload(Batch.room))
            .order_by(Batch.reg_no)
        )
    )
    by_id = {b.id: b for b in batches}
    themes = {t.id: t.code for t in session.scalars(select(Theme))}
    template = {p.reg_no: p.template for p in plans}
    walk_ins = {p.reg_no: p.arrival for p in plans if p.arrival is not None}
    day = session.get(ReceptionDay, day_id)
    assert day is not None
    writer = _CaseWriter(session, rng, day)
    for event in _simulate(rng, batches, walk_ins):
        batch = by_id[event.batch_id]
        at = _utc(date, event.at)
        if event.action == "check_in":
            check_in_in(session, batch, actor, event.member_ids, at=at)
        elif event.action == "no_show":
            mark_no_show_in(session, batch, actor, reason="12时仍未到场")
        elif event.action == "start":
            start_session_in(session, batch, actor, at=at)
        else:
            data = writer.case(batch, themes[batch.theme_id], template.get(batch.reg_no))
            record_case_in(session, batch, data, actor, at=at)
        # the audit log tells the demo day's story in the day's own time, like the rows it describes
        for row in session.new:
            if isinstance(row, AuditEntry):
                row.at = at


def create_demo_day(db: Database, seed: int = 2006, date: dt.date | None = None, actor: str = "demo") -> DayInfo:
    """Create a complete demo day (15 rooms, ~167 batches, several hundred people) played to 14:30; one transaction."""
    rng = random.Random(seed)
    date = date or dt.date.today()
    gen = _Generator(rng, date)
    hosts = gen.hosts()
    plans = gen.batches()
    leaders = "、".join(hosts[i] for i in (0, 1, 3))
    with db.session() as session:
        day = days.create_day_in(
            session, date, title=TITLE, venue=VENUE, leaders=leaders, bureau_phone=BUREAU_PHONE, actor=actor
        )
        day.created_at = _utc(date, -12 * 86_400 + 9 * 3600)
        rooms = list(session.scalars(select(Room).where(Room.day_id == day.id).order_by(Room.number)))
        for room, host in zip(rooms, hosts, strict=False):
            room.host = host
        _register_all(session, day.id, date, plans, actor, seed)
        audit.record(session, actor, "create_demo", "reception_day", day.id, after={"seed": seed})
        info = DayInfo(day.id, day.date, day.title, day.venue, day.leaders, day.bureau_phone)
        session.flush()
        assignment.assign_day_in(session, info.id, actor)
        session.expire_all()  # the assignment wrote through Core: reload the batches it placed
        _play(session, info.id, date, rng, plans, actor)
    return info


def demo_summary(db: Database, day_id: int) -> dict[str, Any]:
    """Figures of a day: batches, people, statuses, cases by colour and outcome (for reports and tests)."""
    with db.read() as session:
        rows = session.execute(select(Batch.status, Batch.headcount).where(Batch.day_id == day_id)).all()
        cases = session.execute(
            select(Case.colour, Case.outcome, Case.lead_department_id).where(Case.day_id == day_id)
        ).all()
        return {
            "batches": len(rows),
            "people": sum(h for _, h in rows),
            "statuses": dict(Counter(s for s, _ in rows)),
            "cases": len(cases),
            "colours": dict(Counter(c or "none" for c, _, _ in cases)),
            "outcomes": dict(Counter(o for _, o, _ in cases)),
            "departments": len({d for _, _, d in cases if d is not None}),
        }
