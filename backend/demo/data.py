"""The fictional, deterministic sample data behind `matchmaker demo load`.

Everything here is pure: `build(today)` turns a fixed seed into a plan of organisations, needs,
capabilities and 24 months of collaboration history, and `backend.demo.service` carries the plan
out through the domain services. Organisations and people are invented and marked as samples;
the regions, industry chains and the kind of technical problems are those of Shaoxing's
high-end intelligent equipment industry.
"""

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import yaml

from matching.explain import Explanation

SEED = 783  # the number of above-scale high-end equipment firms in Shaoxing (2023)
HISTORY_MONTHS = 24
EXPIRY_DAYS = 60
PASSWORD = "matchmaker-demo"
EMAIL_DOMAIN = "sample.matchmaker.local"
SAMPLE_ZH = "（示例）"
SAMPLE_EN = " (sample)"
CST = timezone(timedelta(hours=8), "CST")

Bi = tuple[str, str]  # (Chinese, English)


# --- the technical catalogue (catalogue.yaml): one topic per family of pain points --------------------


@dataclass(frozen=True)
class Issue:
    short: Bi  # used in titles: 磨削烧伤
    detail: Bi  # a clause describing the symptom; "{pct}" is filled with a small number
    only: tuple[int, ...] = ()  # the components it makes sense for (all when empty)


@dataclass(frozen=True)
class Topic:
    key: str
    chain: str
    firm_chains: tuple[str, ...]  # firms of these chains post needs of this topic
    name: Bi
    field: Bi
    components: tuple[Bi, ...]
    issues: tuple[Issue, ...]
    targets: tuple[Bi, ...]  # verb phrases: 将…控制在…以内 / keep … within …
    tried: tuple[Bi, ...]
    keywords: tuple[Bi, ...]
    methods: tuple[Bi, ...]
    equipment: tuple[Bi, ...]
    achievements: tuple[Bi, ...]  # verb phrases in the past: 将…降至… / cut … to …
    trl: tuple[int, int]
    extra_needs: int = 0
    products: bool = True  # False: the components are workpieces or lines, not what the firm sells
    users: tuple[str, ...] = ()  # firm chains that use the components rather than make them

    def made_by(self, chains: tuple[str, ...]) -> str | None:
        """The chain under which a firm of these chains makes the components, if it does."""
        if not self.products:
            return None
        return next((c for c in self.firm_chains if c in chains and c not in self.users), None)


CATALOGUE_PATH = Path(__file__).resolve().parent / "catalogue.yaml"


def _pair(value: list) -> Bi:
    zh, en = value
    return str(zh), str(en)


def _pairs(values: list) -> tuple[Bi, ...]:
    return tuple(_pair(v) for v in values)


def load_topics(path: Path = CATALOGUE_PATH) -> tuple[Topic, ...]:
    """The catalogue, in file order (the generator's draws depend on the order of topics and lists)."""
    rows = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    topics = []
    for row in rows:
        topics.append(Topic(
            key=row["key"], chain=row["chain"], firm_chains=tuple(row["firm_chains"]),
            name=_pair(row["name"]), field=_pair(row["field"]), components=_pairs(row["components"]),
            issues=tuple(Issue(_pair(i["short"]), _pair(i["detail"]), tuple(i.get("only", ())))
                         for i in row["issues"]),
            targets=_pairs(row["targets"]), tried=_pairs(row["tried"]), keywords=_pairs(row["keywords"]),
            methods=_pairs(row["methods"]), equipment=_pairs(row["equipment"]),
            achievements=_pairs(row["achievements"]), trl=tuple(row["trl"]),
            extra_needs=row.get("extra_needs", 0), products=row.get("products", True),
            users=tuple(row.get("users", ())),
        ))
    return tuple(topics)


TOPICS: tuple[Topic, ...] = load_topics()

TOPIC_BY_KEY = {t.key: t for t in TOPICS}


# --- reference names (the regions and chains are those of the migration) -------------------------------

CHAIN_NAMES: dict[str, Bi] = {
    "bearings": ("轴承", "bearing"),
    "smart_motors": ("智能电机", "smart-motor"),
    "cnc_machine_tools": ("数控机床", "CNC machine-tool"),
    "robots_reducers": ("机器人与减速器", "robot and reducer"),
    "energy_env_equipment": ("节能环保装备", "energy and environmental equipment"),
    "hydrogen_drones": ("氢能与无人机", "hydrogen and drone"),
    "textile_machinery": ("纺织机械", "textile-machinery"),
    "key_components": ("关键零部件", "key-component"),
    "wind_power_equipment": ("风电装备", "wind-power equipment"),
    "sensors_control": ("传感与控制系统", "sensing and control"),
}

PLACES: dict[str, Bi] = {
    "330602": ("越城区", "Yuecheng"),
    "330603": ("柯桥区", "Keqiao"),
    "330604": ("上虞区", "Shangyu"),
    "330624": ("新昌县", "Xinchang"),
    "330681": ("诸暨市", "Zhuji"),
    "330683": ("嵊州市", "Shengzhou"),
    "330100": ("杭州市", "Hangzhou"),
    "330200": ("宁波市", "Ningbo"),
}
SHAOXING_DISTRICTS = ("330602", "330603", "330604", "330624", "330681", "330683")

# Firm names start with the place, as Chinese firm names do.
FIRM_PREFIX: dict[str, Bi] = {
    "330602": ("绍兴", "Shaoxing"),
    "330603": ("绍兴柯桥", "Shaoxing Keqiao"),
    "330604": ("上虞", "Shangyu"),
    "330624": ("新昌", "Xinchang"),
    "330681": ("诸暨", "Zhuji"),
    "330683": ("嵊州", "Shengzhou"),
    "330100": ("杭州", "Hangzhou"),
    "330200": ("宁波", "Ningbo"),
}

# How many firms of which chain sit in each district: bearings and motors in Xinchang, machinery in Zhuji
# and Shangyu, textile machinery in Keqiao, motors in Shengzhou; a few neighbours in Hangzhou and Ningbo.
FIRM_ALLOTMENT: dict[str, tuple[tuple[str, int], ...]] = {
    "330624": (("bearings", 6), ("wind_power_equipment", 2), ("cnc_machine_tools", 3),
               ("robots_reducers", 2), ("smart_motors", 2), ("key_components", 1)),
    "330681": (("cnc_machine_tools", 3), ("key_components", 4), ("energy_env_equipment", 2),
               ("hydrogen_drones", 1), ("wind_power_equipment", 1), ("robots_reducers", 1),
               ("sensors_control", 1)),
    "330604": (("smart_motors", 3), ("energy_env_equipment", 3), ("hydrogen_drones", 2),
               ("robots_reducers", 2), ("key_components", 1), ("sensors_control", 1)),
    "330603": (("textile_machinery", 7), ("energy_env_equipment", 3), ("sensors_control", 1),
               ("key_components", 1)),
    "330602": (("sensors_control", 3), ("robots_reducers", 2), ("hydrogen_drones", 2),
               ("key_components", 1), ("cnc_machine_tools", 1), ("smart_motors", 1)),
    "330683": (("smart_motors", 5), ("key_components", 2), ("sensors_control", 1),
               ("energy_env_equipment", 1)),
    "330100": (("sensors_control", 1), ("robots_reducers", 1), ("hydrogen_drones", 1),
               ("cnc_machine_tools", 1)),
    "330200": (("bearings", 1), ("key_components", 1), ("smart_motors", 1), ("textile_machinery", 1)),
}

RELATED_CHAINS: dict[str, tuple[str, ...]] = {
    "bearings": ("wind_power_equipment", "robots_reducers", "key_components"),
    "wind_power_equipment": ("bearings", "key_components"),
    "smart_motors": ("sensors_control", "energy_env_equipment"),
    "cnc_machine_tools": ("key_components", "sensors_control", "robots_reducers"),
    "robots_reducers": ("sensors_control", "key_components", "bearings"),
    "energy_env_equipment": ("smart_motors", "sensors_control"),
    "hydrogen_drones": ("key_components", "sensors_control"),
    "textile_machinery": ("sensors_control", "energy_env_equipment"),
    "key_components": ("bearings", "cnc_machine_tools"),
    "sensors_control": ("robots_reducers", "smart_motors"),
}

PRODUCT_WORDS: dict[str, tuple[Bi, ...]] = {
    "bearings": (("轴承", "Bearing"), ("精密轴承", "Precision Bearing"), ("滚动体", "Rolling Elements")),
    "wind_power_equipment": (("风电轴承", "Wind Bearing"), ("风电部件", "Wind Components")),
    "smart_motors": (("电机", "Motor"), ("电驱科技", "E-Drive Technology"), ("微特电机", "Micro Motor")),
    "cnc_machine_tools": (("数控机床", "CNC Machine Tool"), ("精密机床", "Precision Machine Tool"),
                          ("磨床", "Grinding Machine")),
    "robots_reducers": (("机器人", "Robotics"), ("精密传动", "Precision Drive"),
                        ("智能装备", "Smart Equipment")),
    "energy_env_equipment": (("环保装备", "Environmental Equipment"), ("节能科技", "Energy Technology"),
                             ("热能设备", "Thermal Equipment")),
    "hydrogen_drones": (("氢能科技", "Hydrogen Technology"), ("无人机", "UAV"),
                        ("航空科技", "Aviation Technology")),
    "textile_machinery": (("纺织机械", "Textile Machinery"), ("纺机", "Textile Machine"),
                          ("印染机械", "Dyeing Machinery")),
    "key_components": (("液压", "Hydraulics"), ("齿轮", "Gear"), ("精密零部件", "Precision Parts"),
                       ("密封科技", "Sealing Technology")),
    "sensors_control": (("传感技术", "Sensing Technology"), ("智能控制", "Intelligent Control"),
                        ("工业互联", "Industrial IoT")),
}

# Invented two-character brands are made of one syllable from each list.
BRAND_FIRST: tuple[Bi, ...] = (
    ("恒", "Heng"), ("精", "Jing"), ("嘉", "Jia"), ("晟", "Sheng"), ("鼎", "Ding"), ("瑞", "Rui"),
    ("澄", "Cheng"), ("旭", "Xu"), ("铭", "Ming"), ("致", "Zhi"), ("博", "Bo"), ("星", "Xing"),
    ("驰", "Chi"), ("润", "Run"), ("弘", "Hong"), ("骏", "Jun"), ("峰", "Feng"), ("睿", "Rui"),
)
BRAND_SECOND: tuple[Bi, ...] = (
    ("锐", "rui"), ("达", "da"), ("拓", "tuo"), ("昇", "sheng"), ("诺", "nuo"), ("森", "sen"),
    ("航", "hang"), ("翔", "xiang"), ("泰", "tai"), ("川", "chuan"), ("宇", "yu"), ("辰", "chen"),
    ("衡", "heng"), ("远", "yuan"), ("凯", "kai"), ("隆", "long"),
)

CHAIN_PRODUCTS: dict[str, Bi] = {
    "bearings": ("各类轴承", "bearings"),
    "wind_power_equipment": ("风电轴承与零部件", "wind-turbine bearings and parts"),
    "smart_motors": ("电机及驱动系统", "electric motors and drives"),
    "cnc_machine_tools": ("数控机床", "CNC machine tools"),
    "robots_reducers": ("工业机器人与精密减速器", "industrial robots and precision reducers"),
    "energy_env_equipment": ("节能环保装备", "energy-saving and environmental equipment"),
    "hydrogen_drones": ("氢能无人机与动力系统", "hydrogen drones and power systems"),
    "textile_machinery": ("纺织机械", "textile machinery"),
    "key_components": ("液压件与传动零部件", "hydraulic and drive components"),
    "sensors_control": ("传感器与控制系统", "sensors and control systems"),
}

CUSTOMERS: dict[str, Bi] = {
    "bearings": ("汽车、电机和机床行业客户", "automotive, motor and machine-tool customers"),
    "wind_power_equipment": ("国内主要风电整机厂", "major wind-turbine makers"),
    "smart_motors": ("空压机、水泵和新能源汽车客户", "compressor, pump and electric-vehicle customers"),
    "cnc_machine_tools": ("汽车零部件和模具企业", "automotive-parts and die makers"),
    "robots_reducers": ("工业机器人本体厂商", "industrial-robot makers"),
    "energy_env_equipment": ("印染、化工和市政环保项目", "dyeing, chemical and municipal projects"),
    "hydrogen_drones": ("电力巡检和应急测绘用户", "power-line inspection and emergency-mapping users"),
    "textile_machinery": ("绍兴及周边的织造印染企业", "weaving and dyeing mills around Shaoxing"),
    "key_components": ("工程机械和通用装备厂商", "construction-machinery and general-equipment makers"),
    "sensors_control": ("装备制造企业和产业园区", "equipment makers and industrial parks"),
}

LABS: dict[str, Bi] = {
    "bearings": ("滚动轴承与摩擦学实验室", "Rolling Bearing and Tribology Lab"),
    "wind_power_equipment": ("风电装备可靠性研究中心", "Wind Equipment Reliability Centre"),
    "smart_motors": ("特种电机与驱动控制研究所", "Electric Machines and Drives Group"),
    "cnc_machine_tools": ("数控装备与精密制造研究中心", "CNC Equipment and Precision Manufacturing Centre"),
    "robots_reducers": ("机器人传动与控制实验室", "Robot Transmission and Control Lab"),
    "energy_env_equipment": ("节能环保装备工程研究中心", "Energy and Environmental Equipment Centre"),
    "hydrogen_drones": ("氢能动力与飞行器结构实验室", "Hydrogen Power and Airframe Lab"),
    "textile_machinery": ("纺织装备数字化研究所", "Textile Machinery Digitalisation Group"),
    "key_components": ("精密成形与表面工程实验室", "Precision Forming and Surface Engineering Lab"),
    "sensors_control": ("智能传感与工业互联网实验室", "Smart Sensing and Industrial Internet Lab"),
}


@dataclass(frozen=True)
class ResearchOrg:
    key: str
    kind: str
    name: Bi
    region: str
    chains: tuple[str, ...]
    short: str
    slug: str


RESEARCH_ORGS: tuple[ResearchOrg, ...] = (
    ResearchOrg("u-dongzhe", "university",
                ("浙东理工大学", "East Zhejiang University of Technology"), "330100",
                ("bearings", "cnc_machine_tools", "robots_reducers", "sensors_control",
                 "wind_power_equipment"), "浙东理工", "ezut"),
    ResearchOrg("u-qiantang", "university",
                ("钱塘科技大学", "Qiantang University of Science and Technology"), "330100",
                ("smart_motors", "sensors_control", "hydrogen_drones", "energy_env_equipment",
                 "cnc_machine_tools"), "钱塘科大", "qust"),
    ResearchOrg("u-yongjiang", "university",
                ("甬江工程大学", "Yongjiang University of Engineering"), "330200",
                ("key_components", "cnc_machine_tools", "textile_machinery", "smart_motors", "bearings"),
                "甬江工大", "yue"),
    ResearchOrg("u-jishan", "university", ("稽山工学院", "Jishan Institute of Technology"), "330602",
                ("textile_machinery", "key_components", "bearings", "energy_env_equipment",
                 "sensors_control"), "稽山工学院", "jit"),
    ResearchOrg("u-hangkong", "university", ("杭州航空动力学院", "Hangzhou College of Aero Power"), "330100",
                ("hydrogen_drones", "key_components", "sensors_control", "robots_reducers"),
                "杭航动力", "hcap"),
    ResearchOrg("i-chuandong", "institute",
                ("绍兴精密传动研究院", "Shaoxing Precision Transmission Institute"), "330624",
                ("bearings", "robots_reducers", "wind_power_equipment", "cnc_machine_tools"),
                "精密传动院", "spti"),
    ResearchOrg("i-zhuji", "institute",
                ("诸暨高端装备创新中心", "Zhuji High-end Equipment Innovation Centre"), "330681",
                ("cnc_machine_tools", "key_components", "energy_env_equipment", "wind_power_equipment"),
                "诸暨装备中心", "zheic"),
    ResearchOrg("i-shangyu", "institute", ("上虞绿色动力研究院", "Shangyu Green Power Institute"), "330604",
                ("energy_env_equipment", "hydrogen_drones", "smart_motors"), "上虞绿动院", "sgpi"),
    ResearchOrg("i-keqiao", "institute",
                ("柯桥纺织装备技术研究所", "Keqiao Textile Machinery Institute"), "330603",
                ("textile_machinery", "energy_env_equipment", "sensors_control"), "柯桥纺装所", "ktmi"),
    ResearchOrg("i-shengzhou", "institute",
                ("嵊州电机与驱动研究中心", "Shengzhou Motor and Drive Centre"), "330683",
                ("smart_motors", "sensors_control", "key_components"), "嵊州电驱中心", "smdc"),
    ResearchOrg("i-yongcheng", "institute",
                ("甬城先进制造研究所", "Yongcheng Advanced Manufacturing Institute"), "330200",
                ("robots_reducers", "sensors_control", "key_components", "bearings", "cnc_machine_tools"),
                "甬城先进所", "yami"),
    ResearchOrg("i-ganzhi", "institute",
                ("杭州智能感知研究院", "Hangzhou Intelligent Sensing Institute"), "330100",
                ("sensors_control", "robots_reducers", "smart_motors", "textile_machinery"),
                "杭州感知院", "hisi"),
    ResearchOrg("f-rheinau", "university", ("莱瑙应用技术大学", "Technische Hochschule Rheinau"), "DE",
                ("bearings", "wind_power_equipment", "cnc_machine_tools", "key_components"),
                "莱瑙工大", "th-rheinau"),
    ResearchOrg("f-kansai", "foreign_partner",
                ("关西精密工学研究所", "Kansai Institute of Precision Engineering"), "JP",
                ("robots_reducers", "cnc_machine_tools", "bearings", "sensors_control"),
                "关西精工所", "kipe"),
    ResearchOrg("f-northmoor", "university", ("诺斯穆尔大学", "University of Northmoor"), "GB",
                ("hydrogen_drones", "smart_motors", "energy_env_equipment", "sensors_control"),
                "诺斯穆尔大学", "northmoor"),
    ResearchOrg("f-valsesia", "university", ("瓦尔塞西亚理工大学", "Politecnico di Valsesia"), "IT",
                ("textile_machinery", "cnc_machine_tools", "energy_env_equipment"),
                "瓦尔塞西亚理工", "polivalsesia"),
    ResearchOrg("f-gota", "university", ("约塔理工学院", "Göta Institute of Technology"), "SE",
                ("bearings", "wind_power_equipment", "sensors_control", "key_components"),
                "约塔理工", "gota-tech"),
    ResearchOrg("f-alpenrhein", "foreign_partner",
                ("阿尔卑莱茵驱动技术研究所", "Alpenrhein Institute of Drive Technology"), "CH",
                ("smart_motors", "robots_reducers", "cnc_machine_tools"), "阿尔卑莱茵所", "aidt"),
    ResearchOrg("f-hanbit", "foreign_partner",
                ("韩光机器人研究院", "Hanbit Robotics Research Institute"), "KR",
                ("robots_reducers", "hydrogen_drones", "sensors_control"), "韩光机器人院", "hrri"),
    ResearchOrg("f-lakeshore", "university", ("湖岸理工学院", "Lakeshore Institute of Technology"), "US",
                ("hydrogen_drones", "energy_env_equipment", "smart_motors", "textile_machinery"),
                "湖岸理工", "lit"),
    ResearchOrg("f-rheinwerk", "foreign_partner", ("莱茵沃克驱动有限公司", "Rheinwerk Antriebe GmbH"), "DE",
                ("smart_motors", "robots_reducers"), "莱茵沃克", "rheinwerk"),
    ResearchOrg("f-nordhavn", "foreign_partner", ("诺德港风电部件公司", "Nordhavn Wind Components AB"), "SE",
                ("wind_power_equipment", "bearings"), "诺德港风电", "nordhavn"),
)
FOREIGN_COMPANIES = frozenset({"f-rheinwerk", "f-nordhavn"})

# key, name, English name, region
GOVERNMENT_ORGS: tuple[tuple[str, str, str, str], ...] = (
    ("g-sx-jxj", "绍兴市经济和信息化局产业链工作专班", "Shaoxing Economy and IT Bureau, chain task force",
     "330600"),
    ("g-sx-kjj", "绍兴市科学技术局成果转化处", "Shaoxing Science and Technology Bureau, transfer office",
     "330600"),
    ("g-sx-fgw", "绍兴市发展和改革委员会高端装备产业链工作组", "Shaoxing DRC, high-end equipment chain group",
     "330600"),
    ("g-xc-jxj", "新昌县经济和信息化局", "Xinchang Economy and IT Bureau", "330624"),
    ("g-zj-kjj", "诸暨市科学技术局", "Zhuji Science and Technology Bureau", "330681"),
    ("g-sy-jxj", "上虞区经济和信息化局", "Shangyu Economy and IT Bureau", "330604"),
)

SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯董程曹袁邓许傅沈曾彭吕"
GIVEN_NAMES = (
    "建华", "志远", "海涛", "文博", "晓明", "丽娟", "俊杰", "雪峰", "明轩", "思源", "立新", "国栋", "振宇",
    "晨阳", "婉清", "亚男", "浩然", "子涵", "宏伟", "永康", "佳琪", "学军", "春燕", "云飞", "鹏程", "一鸣",
    "书恒", "若晴",
)
FOREIGN_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "DE": (("Anna", "Lukas", "Jonas", "Miriam", "Felix", "Katrin"),
           ("Vogel", "Brandt", "Hartmann", "Keller", "Lorenz", "Albrecht")),
    "JP": (("Haruto", "Yui", "Kenji", "Aiko", "Takeshi", "Naomi"),
           ("Sakamoto", "Fujita", "Morimoto", "Ishikawa", "Nakano", "Okada")),
    "GB": (("Oliver", "Amelia", "George", "Isla", "Harry", "Freya"),
           ("Whitfield", "Ashworth", "Pennington", "Hale", "Carver", "Fairbairn")),
    "IT": (("Giulia", "Marco", "Chiara", "Luca", "Francesca", "Matteo"),
           ("Bellandi", "Ferraris", "Gallo", "Moretti", "Rinaldi", "Santoro")),
    "SE": (("Erik", "Astrid", "Lars", "Ingrid", "Johan", "Maja"),
           ("Lindqvist", "Berglund", "Sandberg", "Holm", "Ekström", "Nyberg")),
    "CH": (("Reto", "Corinne", "Urs", "Seraina", "Beat", "Nadine"),
           ("Gerber", "Brunner", "Zürcher", "Baumann", "Frei", "Wyss")),
    "KR": (("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Dong-hyun", "Su-bin"),
           ("Kim", "Park", "Choi", "Jung", "Kang", "Yoon")),
    "US": (("Emily", "Michael", "Sarah", "Daniel", "Rachel", "Andrew"),
           ("Caldwell", "Brennan", "Whitaker", "Donovan", "Holloway", "Sutton")),
}
PATENT_OFFICES = {"DE": "EP", "IT": "EP", "SE": "EP", "CH": "EP", "GB": "GB", "JP": "JP", "KR": "KR",
                  "US": "US"}


# --- sentence templates -----------------------------------------------------------------------------

NEED_CONTEXT_ZH = (
    "我公司主要生产{comp}，产品配套{customer}。",
    "公司是{place}的{chain}企业，{comp}是主导产品之一。",
    "随着{customer}对质量和可靠性的要求不断提高，公司{comp}产品面临升级压力。",
    "公司近年来扩大了{comp}产能，但关键工艺仍存在短板。",
)
# For firms that use the component, or whose problem is a step of production rather than a product.
NEED_USER_CONTEXT_ZH = (
    "我公司主导产品为{product}，{comp}环节存在明显短板。",
    "公司是{place}的{chain}企业，{comp}是当前生产中的薄弱环节。",
    "公司{product}产品的质量和交付受{comp}环节制约。",
)
NEED_SYMPTOM_ZH = ("目前，{detail}。", "在生产和客户使用中发现，{detail}。",
                   "{detail}，已影响批量交付和客户认可。")
NEED_TRIED_ZH = ("我们曾尝试{tried}，效果有限。", "前期通过{tried}做过改进，问题仍未根本解决。")
NEED_TARGET_ZH = ("希望与高校或科研院所合作，{target}。", "拟通过产学研联合攻关，{target}。",
                  "期望借助外部研发力量{target}。")
NEED_CONSTRAINT_ZH = (
    "方案需在现有产线上实施，不影响生产节拍。", "公司可提供试验样件、工艺参数和现场测试条件。",
    "优先考虑一年内可完成中试验证的技术路线。", "改造投入需控制在预算范围内，优先采用国产化设备。",
    "成果需通过主要客户的认证审核。",
)
NEED_TITLE_ZH = ("{comp}{issue}问题攻关", "{comp}{issue}", "解决{comp}{issue}难题", "{comp}{issue}技术需求")

NEED_CONTEXT_EN = (
    "We make {comp} for {customer}.",
    "We are a {chain} manufacturer in {place}, and {comp} are one of our main products.",
    "As {customer} ask for higher quality and reliability, our {comp} need an upgrade.",
)
NEED_USER_CONTEXT_EN = (
    "We make {product}, and we struggle with {comp}.",
    "We are a {chain} manufacturer in {place}; {comp} hold back our production.",
)
NEED_SYMPTOM_EN = ("At present, {detail}.", "In production and in the field, {detail}.")
NEED_TRIED_EN = ("We have tried {tried}, with limited effect.",
                 "Earlier attempts with {tried} did not solve it.")
NEED_TARGET_EN = ("We are looking for a research partner to {target}.",
                  "The aim of a joint project is to {target}.")
NEED_CONSTRAINT_EN = (
    "The solution must run on the existing line without slowing it down.",
    "We can provide test parts, process data and on-site trials.",
    "We prefer a route that can be piloted within a year.",
    "Results must pass our key customers' qualification.",
)

SERVICES: tuple[Bi, ...] = (
    ("现场诊断与工艺咨询", "on-site diagnosis and process consulting"),
    ("联合开发与中试验证", "joint development and pilot validation"),
    ("工艺试验和检测分析", "process trials and test analysis"),
    ("技术培训与工程师联合培养", "training and joint education of engineers"),
    ("联合申报省市科技项目", "support for joint applications to provincial and city programmes"),
)
PATENT_TYPES: tuple[Bi, ...] = (
    ("加工方法", "Processing method for"), ("检测方法", "Inspection method for"),
    ("控制方法", "Control method for"), ("装置", "Device for"), ("系统", "System for"),
)
LICENCES: tuple[Bi, ...] = (
    ("可转让、许可或作价入股", "Available for assignment, licensing or as an equity contribution"),
    ("支持普通许可并提供技术指导", "Available for non-exclusive licensing with technical support"),
    ("可与企业联合实施转化", "Open to joint implementation with a manufacturer"),
)
STAGES: dict[int, Bi] = {
    3: ("实验室原理验证", "proof of concept in the lab"), 4: ("实验室原理验证",
                                                       "proof of concept in the lab"),
    5: ("实验室样机验证", "lab prototype validation"), 6: ("中试验证", "pilot validation"),
    7: ("生产线示范应用", "demonstration on a production line"), 8: ("小批量推广应用",
                                                              "small-series application"),
    9: ("规模化应用", "volume application"),
}
TRANSFER_MODES: tuple[Bi, ...] = (("技术许可", "licensing"), ("作价入股", "an equity partnership"),
                                  ("联合开发", "joint development"), ("技术转让", "outright transfer"))

DECLINE_NOTES: dict[str, tuple[Bi, ...]] = {
    "trl_too_early": (("成果尚处于实验室阶段，距离产线应用差距较大", "the result is still at lab stage"),
                      ("需要的中试周期超过企业可接受范围", "the pilot phase would take too long")),
    "unclear_benefit": (("投入产出测算不明确，暂不推进", "the return on investment is unclear"),
                        ("改进幅度不足以覆盖改造成本", "the gain would not cover the retrofit cost")),
    "out_of_scope": (("团队研究方向与本需求的工况不一致", "the team works on a different duty"),
                     ("技术路线与企业现有产线不匹配", "the approach does not fit our line")),
    "budget": (("报价超出本年度研发预算", "the quote exceeds this year's R&D budget"),
               ("合作费用与企业预算差距较大", "the cost is far above our budget")),
    "already_solved": (("企业已与其他团队达成合作", "we already work with another team on this"),
                       ("问题已通过设备供应商解决", "our equipment supplier solved the problem")),
    "other": (("企业内部调整，需求暂缓", "the need is on hold after an internal reorganisation"),
              ("双方就知识产权归属未达成一致", "no agreement on IP ownership")),
}
DECLINE_WEIGHTS = {"trl_too_early": 25, "unclear_benefit": 20, "out_of_scope": 15, "budget": 20,
                   "already_solved": 10, "other": 10}

MILESTONES: tuple[Bi, ...] = (
    ("技术方案评审与任务书签订", "Technical plan review and contract"),
    ("实验室样件试制", "Laboratory samples"), ("关键工艺参数优化", "Optimisation of key process parameters"),
    ("中试验证与第三方检测", "Pilot validation and third-party testing"),
    ("产线批量验证", "Series validation on the production line"),
    ("项目验收与成果鉴定", "Acceptance and appraisal of results"),
)

PARTNERSHIP_TEXT: dict[str, str] = {
    "joint_rd": "双方围绕{topic}开展联合研发，共建联合实验室并共享试验数据",
    "licensing": "{foreign}向{local}许可“{method}”相关专利技术，用于{comp}产品升级",
    "investment": "{foreign}对{local}进行技术型投资，共同建设{field}产线",
    "talent_exchange": "双方互派工程师和研究生开展为期半年的交流，聚焦{field}",
    "co_publication": "双方围绕“{method}”联合发表论文并共享实验数据",
}
PARTNERSHIP_KIND_WEIGHTS = {"joint_rd": 30, "licensing": 18, "investment": 12, "talent_exchange": 20,
                            "co_publication": 20}
PARTNERSHIP_VALUES = {"joint_rd": (800_000, 6_000_000), "licensing": (300_000, 3_000_000),
                      "investment": (5_000_000, 60_000_000), "talent_exchange": (50_000, 600_000),
                      "co_publication": (0, 0)}


# --- the plan ---------------------------------------------------------------------------------------


@dataclass
class OrgPlan:
    key: str
    kind: str
    name: str
    name_en: str
    region: str
    chains: tuple[str, ...]
    short: str
    slug: str = ""
    flags: dict[str, bool] = field(default_factory=dict)
    joined_at: datetime | None = None

    @property
    def country(self) -> str:
        return self.region if self.region.isalpha() else "CN"

    @property
    def is_research(self) -> bool:
        return self.kind in ("university", "institute", "foreign_partner")


@dataclass
class NeedPlan:
    org: str
    topic: str
    language: str
    title: str
    subject: str  # the title without its framing, for the titles of joint projects
    description: str
    summary: str | None
    chain: str
    keywords: list[str]
    concepts: frozenset[int]  # indexes of the topic's keywords, to explain matches across languages
    trl_min: int
    trl_max: int
    budget_min: Decimal | None
    budget_max: Decimal | None
    deadline: date | None
    visibility: str
    posted_at: datetime | None = None


@dataclass
class CapabilityPlan:
    org: str
    topic: str
    language: str
    kind: str
    title: str
    description: str
    chain: str
    keywords: list[str]
    concepts: frozenset[int]
    team: str
    trl: int | None
    patent_numbers: list[str]
    contact: str
    posted_at: datetime | None = None


@dataclass
class MatchStep:
    action: str  # firm | university | decline | expire
    at: datetime
    reason: str | None = None
    note: str | None = None


@dataclass
class MatchPlan:
    need: int
    capability: int
    dense: float | None
    lexical: float | None
    fused: float
    rank: int
    explanation: Explanation
    proposed_at: datetime
    steps: list[MatchStep] = field(default_factory=list)
    score: float = 0.0  # the calibrated match score the history's proposal carried (its ledger event's)

    @property
    def accepted_at(self) -> datetime | None:
        interested = {s.action for s in self.steps}
        return self.steps[-1].at if {"firm", "university"} <= interested else None


@dataclass
class ProjectPlan:
    title: str
    match: int | None  # index into Dataset.matches
    parties: list[str]  # organisation keys, for projects that did not come from a match
    chain: str | None
    contract_value: Decimal
    major_level: str
    created_at: datetime
    steps: list[tuple[str, datetime]] = field(default_factory=list)
    milestones: list[tuple[str, date, date | None]] = field(default_factory=list)


@dataclass
class PartnershipPlan:
    local: str
    foreign: str
    kind: str
    chain: str
    value: Decimal
    started_on: date
    ended_on: date | None
    description: str
    at: datetime


@dataclass
class UserPlan:
    email: str
    role: str
    org: str | None
    locale: str = "zh_CN"


@dataclass
class Dataset:
    organisations: list[OrgPlan]
    needs: list[NeedPlan]
    capabilities: list[CapabilityPlan]
    matches: list[MatchPlan]
    projects: list[ProjectPlan]
    partnerships: list[PartnershipPlan]
    users: list[UserPlan]


def history_window(today: date) -> tuple[datetime, datetime]:
    """The 24 whole months before today's month: [start, end)."""
    end = datetime(today.year, today.month, 1, tzinfo=CST)
    months = today.year * 12 + today.month - 1 - HISTORY_MONTHS
    start = datetime(months // 12, months % 12 + 1, 1, tzinfo=CST)
    return start, end


def build(today: date) -> Dataset:
    """The whole sample data set; the same for the same `today`, and the same texts for any `today`."""
    content = _Content(random.Random(SEED))
    history = _History(random.Random(SEED + 1), content, today)
    return history.dataset()


def _cap1(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower1(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym (IE5, RV, CNC)."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _money(value: float, step: int = 10_000) -> Decimal:
    return Decimal(int(round(value / step)) * step)


class _Content:
    """Organisations, needs and capabilities: the texts, independent of the date."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.orgs: list[OrgPlan] = []
        self.by_key: dict[str, OrgPlan] = {}
        self._pis: dict[tuple[str, str], str] = {}
        self._titles: set[str] = set()
        self._firms()
        self._research()
        self._government()
        self.needs = self._needs()
        self.capabilities = self._capabilities()

    # organisations

    def _add(self, org: OrgPlan) -> None:
        self.orgs.append(org)
        self.by_key[org.key] = org

    def _firms(self) -> None:
        rng = self.rng
        brands = [(a[0] + b[0], a[1] + b[1]) for a in BRAND_FIRST for b in BRAND_SECOND if a[0] != b[0]]
        rng.shuffle(brands)
        brands = [b for b in brands if b[0] != "恒锐"]
        # The firm of the demo firm user comes first: a Xinchang bearing maker, a "little giant".
        self._add(OrgPlan(
            key="firm-000", kind="firm", name="新昌恒锐精密轴承有限公司" + SAMPLE_ZH,
            name_en="Xinchang Hengrui Precision Bearing Co., Ltd." + SAMPLE_EN, region="330624",
            chains=("bearings", "wind_power_equipment"), short="恒锐轴承", slug="hengrui",
            flags={"is_little_giant": True, "is_high_tech": True, "is_verified": True},
        ))
        allotment = [(region, chain) for region, chains in FIRM_ALLOTMENT.items()
                     for chain, count in chains for _ in range(count)]
        allotment.remove(("330624", "bearings"))
        for n, (region, chain) in enumerate(allotment, start=1):
            brand_zh, brand_en = brands[n]
            chains = [chain]
            if rng.random() < 0.35:
                chains.append(rng.choice(RELATED_CHAINS[chain]))
            listed = rng.random() < 0.08
            leader = listed or rng.random() < 0.06
            flags = {
                "is_listed": listed,
                "is_chain_leader": leader,
                "is_little_giant": not listed and rng.random() < 0.15,
                "is_high_tech": leader or rng.random() < 0.4,
                "is_verified": True,
            }
            # Every sample organisation is verified (its postings are published); the roll keeps the seed's
            # sequence, so the rest of the sample data stays as it was.
            _ = leader or rng.random() < 0.7
            prefix_zh, prefix_en = ("浙江", "Zhejiang") if leader else FIRM_PREFIX[region]
            product_zh, product_en = rng.choice(PRODUCT_WORDS[chain])
            suffix_zh, suffix_en = ("股份有限公司", "Co., Ltd.") if listed else ("有限公司", "Co., Ltd.")
            self._add(OrgPlan(
                key=f"firm-{n:03d}", kind="firm",
                name=f"{prefix_zh}{brand_zh}{product_zh}{suffix_zh}{SAMPLE_ZH}",
                name_en=f"{prefix_en} {brand_en} {product_en} {suffix_en}{SAMPLE_EN}",
                region=region, chains=tuple(chains), short=brand_zh + product_zh, slug=brand_en.lower(),
                flags={k: v for k, v in flags.items() if v},
            ))

    def _research(self) -> None:
        for r in RESEARCH_ORGS:
            self._add(OrgPlan(key=r.key, kind=r.kind, name=r.name[0] + SAMPLE_ZH,
                              name_en=r.name[1] + SAMPLE_EN, region=r.region, chains=r.chains,
                              short=r.short, slug=r.slug,
                              flags={"is_verified": True}))

    def _government(self) -> None:
        for key, name, name_en, region in GOVERNMENT_ORGS:
            self._add(OrgPlan(key=key, kind="government", name=name + SAMPLE_ZH, name_en=name_en + SAMPLE_EN,
                              region=region, chains=(), short=name[:6], slug=key,
                              flags={"is_verified": True}))

    def firms(self) -> list[OrgPlan]:
        return [o for o in self.orgs if o.kind == "firm"]

    def research(self, *, foreign: bool) -> list[OrgPlan]:
        return [o for o in self.orgs if o.is_research and (o.country != "CN") == foreign]

    # needs

    def _needs(self) -> list[NeedPlan]:
        rng = self.rng
        firms = self.firms()
        posted: dict[str, int] = {f.key: 0 for f in firms}
        needs: list[NeedPlan] = []
        english_topics = set(rng.sample([t.key for t in TOPICS], 12))
        for topic in TOPICS:
            eligible = [f for f in firms if set(f.chains) & set(topic.firm_chains)]
            pairs = [(c, i) for i, issue in enumerate(topic.issues)
                     for c in (issue.only or range(len(topic.components)))]
            rng.shuffle(pairs)
            count = min(len(pairs), 8 + topic.extra_needs)
            plan = [(pair, "zh") for pair in pairs[:count]]
            if topic.key in english_topics:
                plan.append((pairs[-1], "en"))
            for (c, i), language in plan:
                # Spread needs over the firms; the demo firm user's firm posts a few more.
                weights = [(4.0 if f.key == "firm-000" else 1.0) / (1 + posted[f.key]) ** 1.5
                           for f in eligible]
                firm = rng.choices(eligible, weights)[0]
                posted[firm.key] += 1
                needs.append(self._need(topic, firm, topic.components[c], topic.issues[i], language))
        return needs

    def _need(self, topic: Topic, firm: OrgPlan, comp: Bi, issue: Issue, language: str) -> NeedPlan:
        rng = self.rng
        zh = language == "zh"
        lang = 0 if zh else 1
        detail = issue.detail[lang].replace("{pct}", str(rng.randint(2, 8)))
        target, tried = _closest(rng, issue, topic.targets)[lang], _closest(rng, issue, topic.tried)[lang]
        made_as = topic.made_by(firm.chains)
        primary = made_as or firm.chains[0]
        fill = {"comp": comp[lang], "customer": CUSTOMERS[primary][lang], "place": PLACES[firm.region][lang],
                "chain": CHAIN_NAMES[firm.chains[0]][lang], "product": CHAIN_PRODUCTS[firm.chains[0]][lang],
                "detail": detail, "tried": tried, "target": target}
        templates = (
            (NEED_CONTEXT_ZH, NEED_USER_CONTEXT_ZH, NEED_SYMPTOM_ZH, NEED_TRIED_ZH, NEED_TARGET_ZH,
             NEED_CONSTRAINT_ZH) if zh else
            (NEED_CONTEXT_EN, NEED_USER_CONTEXT_EN, NEED_SYMPTOM_EN, NEED_TRIED_EN, NEED_TARGET_EN,
             NEED_CONSTRAINT_EN)
        )
        maker, user, symptom, tried_t, target_t, constraint = templates
        context = maker if made_as else user
        sentences = [rng.choice(context).format(**fill), rng.choice(symptom).format(**fill)]
        if rng.random() < 0.5:
            sentences.append(rng.choice(tried_t).format(**fill))
        sentences.append(rng.choice(target_t).format(**fill))
        if rng.random() < 0.55:
            sentences.append(rng.choice(constraint))
        subject = f"{comp[0]}{issue.short[0]}" if zh else f"{issue.short[1]} in {comp[1]}"
        if zh:
            title = rng.choice(NEED_TITLE_ZH).format(comp=comp[0], issue=issue.short[0])
        else:
            title = _cap1(subject)
        while title in self._titles:
            title = title + ("（二期）" if zh else " (phase 2)")
        self._titles.add(title)
        description = ("" if zh else " ").join(sentences)
        concepts = frozenset(rng.sample(range(len(topic.keywords)), rng.randint(4, 5)))
        trl_min = max(2, min(7, rng.randint(topic.trl[0] - 1, topic.trl[0] + 1)))
        trl_max = min(9, trl_min + rng.randint(2, 4))
        budget_min = budget_max = None
        if rng.random() < 0.92:
            low = rng.choices([100_000, 200_000, 300_000, 500_000, 800_000, 1_000_000, 1_500_000, 2_000_000,
                               3_000_000], [6, 9, 10, 12, 9, 8, 5, 4, 2])[0]
            budget_min = Decimal(low)
            budget_max = _money(low * rng.choice([1.5, 2, 2.5, 3, 4]))
        roll = rng.random()
        visibility = "confidential" if roll < 0.10 else "registered" if roll < 0.25 else "public"
        summary = None
        if visibility == "confidential":
            chain_zh, chain_en = CHAIN_NAMES[topic.chain]
            summary = (f"{chain_zh}领域企业寻求{topic.field[0]}方面的技术合作，"
                       "具体技术参数和应用场景签署保密协议后提供。"
                       if zh else
                       f"A {chain_en} manufacturer seeks cooperation on {topic.field[1]}; "
                       "details are shared under a non-disclosure agreement.")
        return NeedPlan(
            org=firm.key, topic=topic.key, language=language, title=title, subject=subject,
            description=description,
            summary=summary, chain=topic.chain, keywords=[topic.keywords[k][lang] for k in sorted(concepts)],
            concepts=concepts,
            trl_min=trl_min, trl_max=trl_max, budget_min=budget_min, budget_max=budget_max, deadline=None,
            visibility=visibility,
        )

    # capabilities

    def _pi(self, org: OrgPlan, chain: str) -> str:
        key = (org.key, chain)
        if key not in self._pis:
            if org.country == "CN":
                self._pis[key] = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES)
            else:
                firsts, lasts = FOREIGN_NAMES[org.country]
                self._pis[key] = f"{self.rng.choice(firsts)} {self.rng.choice(lasts)}"
        return self._pis[key]

    def _capabilities(self) -> list[CapabilityPlan]:
        rng = self.rng
        domestic, foreign = self.research(foreign=False), self.research(foreign=True)
        caps: list[CapabilityPlan] = []
        for topic in TOPICS:
            local = [o for o in domestic if topic.chain in o.chains]
            abroad = [o for o in foreign if topic.chain in o.chains] or foreign
            plan = [(o, "zh") for o in _spread(rng, local, 16)]
            plan += [(o, "en") for o in _spread(rng, local, 2)]
            plan += [(o, "en") for o in _spread(rng, abroad, 6)]
            for org, language in plan:
                kind = rng.choices(["expertise", "patent", "equipment", "result"], [35, 30, 12, 23])[0]
                caps.append(self._capability(topic, org, kind, language))
        return caps

    def _capability(self, topic: Topic, org: OrgPlan, kind: str, language: str) -> CapabilityPlan:
        rng = self.rng
        zh = language == "zh"
        lang = 0 if zh else 1
        pi = self._pi(org, topic.chain)
        lab = LABS[topic.chain]
        if zh:
            team = f"{lab[0]}·{pi}教授团队"
        elif org.country == "CN":
            team = f"{lab[1]}, {org.name_en.removesuffix(SAMPLE_EN)}"
        elif org.key in FOREIGN_COMPANIES:
            team = f"Applied R&D team (Dr {pi})"
        else:
            team = f"{lab[1]} (Prof. {pi})"
        contact = (f"{pi}{SAMPLE_ZH} {org.slug}-tto@sample.example" if org.country == "CN"
                   else f"{pi}{SAMPLE_EN}, {org.slug}-tto@sample.example")
        patent_numbers: list[str] = []
        trl: int | None = None
        for _ in range(20):
            m1, m2 = rng.sample(range(len(topic.methods)), 2)
            method, method2 = topic.methods[m1][lang], topic.methods[m2][lang]
            comp = rng.choice(topic.components)[lang]
            ach, target = rng.choice(topic.achievements)[lang], rng.choice(topic.targets)[lang]
            service = rng.choice(SERVICES)[lang]
            if kind == "expertise":
                trl = rng.choice([None, topic.trl[0], topic.trl[0] + 1])
                if zh:
                    title = rng.choice([f"面向{comp}的{method}", f"{method}技术服务",
                                        f"{topic.field[0]}：{method}"])
                    text = [f"{team}长期从事{topic.field[0]}研究，在{method}、{method2}等方面有系统积累。",
                            f"团队曾{ach}。", f"可为企业提供{service}，帮助企业{target}。"]
                else:
                    title = rng.choice([f"{_cap1(method)} for {comp}", f"{_cap1(topic.field[1])}: {method}"])
                    text = [f"{team} works on {topic.field[1]}, with a focus on {method} and {method2}.",
                            f"In earlier projects the team {ach}.",
                            f"We offer {service} to help manufacturers {target}."]
            elif kind == "patent":
                trl = rng.randint(topic.trl[0], topic.trl[0] + 2)
                granted = rng.random() < 0.35
                number = self._patent_number(org, granted)
                patent_numbers = [number]
                licence = rng.choice(LICENCES)[lang]
                ptype = rng.choice(PATENT_TYPES)[lang]
                if zh:
                    title = f"一种基于{method}的{comp}{ptype}"
                    status = "发明专利已授权" if granted else "发明专利申请已公开"
                    text = [f"本发明公开了一种基于{method}的{comp}{ptype}，可{target}。",
                            f"专利号{number}，{status}，{licence}。"]
                else:
                    title = f"{ptype} {comp}, based on {method}"
                    text = [f"The patent {number} covers {method} applied to {comp}.",
                            f"It helps manufacturers {target}.",
                            f"{licence}; the inventors support the transfer."]
            elif kind == "equipment":
                equipment = rng.choice(topic.equipment)[lang]
                days = rng.randint(3, 10)
                if zh:
                    title = rng.choice([f"{equipment}开放共享", f"{equipment}检测服务",
                                        f"{equipment}（{org.short}）"])
                    text = [f"{team}所在实验室拥有{equipment}，可开展{topic.field[0]}相关测试与分析。",
                            f"平台面向企业开放共享，提供检测报告与数据分析，预约周期约{days}个工作日。"]
                else:
                    title = rng.choice([f"{_cap1(equipment)}: testing for industry",
                                        f"Shared {equipment} at {org.slug.upper()}"])
                    text = [f"{team} operates a {equipment}.",
                            f"Companies can book tests on {topic.field[1]}, "
                            "with data analysis and a test report.",
                            f"Typical lead time is {days} working days."]
            else:
                trl = rng.randint(max(5, topic.trl[0]), topic.trl[1])
                stage, mode = STAGES[trl][lang], rng.choice(TRANSFER_MODES)[lang]
                if zh:
                    title = rng.choice([f"{method}成果转化", f"{comp}{method}技术",
                                        f"{method}（可转化成果）"])
                    text = [f"该成果针对{topic.name[0]}问题，采用{method}，已{ach}。",
                            f"目前已完成{stage}（TRL {trl}），可通过{mode}方式与企业合作。"]
                else:
                    title = rng.choice([f"{_cap1(method)}, ready for transfer",
                                        f"Transferable result: {method} for {comp}"])
                    text = [f"This result addresses {_lower1(topic.name[1])}.",
                            f"Using {method}, the team {ach}.",
                            f"It has reached TRL {trl} ({stage}) and is available through {mode}."]
            if title not in self._titles:
                break
        self._titles.add(title)
        concepts = frozenset(rng.sample(range(len(topic.keywords)), rng.randint(3, 5)))
        return CapabilityPlan(
            org=org.key, topic=topic.key, language=language, kind=kind, title=title,
            description=("" if zh else " ").join(text), chain=topic.chain,
            keywords=[topic.keywords[k][lang] for k in sorted(concepts)], concepts=concepts, team=team,
            trl=trl, patent_numbers=patent_numbers, contact=contact,
        )

    def _patent_number(self, org: OrgPlan, granted: bool) -> str:
        digits = self.rng.randint(1_000_000, 9_999_999)
        office = "CN" if org.country == "CN" or self.rng.random() < 0.3 else PATENT_OFFICES[org.country]
        if office == "CN":
            return f"CN11{digits}{'B' if granted else 'A'}"
        if office == "EP":
            return f"EP3{digits}{'B1' if granted else 'A1'}"
        if office == "JP":
            return f"JP2022-{digits % 1_000_000:06d}A"
        if office == "KR":
            return f"KR10-2022-{digits}"
        return f"{office}11{digits}{'B2' if granted else 'A1'}"


def _grams(text: str) -> set[str]:
    """Two-character pieces of Chinese and lower-case words of English, for a rough overlap."""
    grams = {text[i:i + 2] for i in range(len(text) - 1) if "\u4e00" <= text[i] <= "\u9fff"}
    return grams | {w for w in text.lower().replace("-", " ").split() if len(w) > 3}


def _closest(rng: random.Random, issue: Issue, options: tuple[Bi, ...]) -> Bi:
    """The option that shares most with the issue, or a random one when none does."""
    mine = _grams(issue.short[0] + issue.detail[0]) | _grams(issue.short[1] + " " + issue.detail[1])
    scores = [len(mine & (_grams(o[0]) | _grams(o[1]))) for o in options]
    best = max(scores)
    return rng.choice([o for o, sc in zip(options, scores, strict=True) if sc == best])


def _spread(rng: random.Random, orgs: list, n: int) -> list:
    """n organisations drawn from orgs, as evenly as possible."""
    out: list = []
    while len(out) < n:
        batch = list(orgs)
        rng.shuffle(batch)
        out.extend(batch[: n - len(out)])
    return out


class _History:
    """When things were posted and what became of them, over the 24 months before `today`."""

    def __init__(self, rng: random.Random, content: _Content, today: date):
        self.rng = rng
        self.content = content
        self.start, self.end = history_window(today)
        self.months = [self._month(i) for i in range(HISTORY_MONTHS)]
        # Activity grows over the two years, which is what the dashboards should show.
        self.weights = [1 + 1.5 * i / (HISTORY_MONTHS - 1) for i in range(HISTORY_MONTHS)]
        self.needs = self._post(content.needs, catalogue_share=0.0)
        self.capabilities = self._post(content.capabilities, catalogue_share=0.35)
        for need in self.needs:
            days = rng.randint(180, 540)
            need.deadline = need.posted_at.date() + timedelta(days=days)
            if need.deadline <= today:
                # Every sample need is open on the load day, so its deadline lies ahead of that day: the same
                # draw, counted from today (30 to 120 days ahead), keeps the plan deterministic.
                need.deadline = today + timedelta(days=30 + days % 91)
        self.matches = self._matches()
        self.projects = self._projects()
        self.partnerships = self._partnerships()
        self._join_dates()

    def dataset(self) -> Dataset:
        users = [
            UserPlan(f"admin@{EMAIL_DOMAIN}", "admin", None),
            UserPlan(f"firm@{EMAIL_DOMAIN}", "firm_member", "firm-000"),
            UserPlan(f"tto@{EMAIL_DOMAIN}", "tech_transfer_officer", "u-dongzhe"),
            UserPlan(f"gov@{EMAIL_DOMAIN}", "government_analyst", "g-sx-jxj"),
        ]
        return Dataset(self.content.orgs, self.needs, self.capabilities, self.matches, self.projects,
                       self.partnerships, users)

    # time

    def _month(self, i: int) -> tuple[datetime, int]:
        months = self.start.year * 12 + self.start.month - 1 + i
        year, month = months // 12, months % 12 + 1
        return datetime(year, month, 1, tzinfo=CST), calendar.monthrange(year, month)[1]

    def moment(self, month: int) -> datetime:
        first, days = self.months[month]
        return first + timedelta(days=self.rng.randrange(days), hours=self.rng.randint(8, 19),
                                 minutes=self.rng.randrange(60))

    def weighted_month(self) -> int:
        return self.rng.choices(range(HISTORY_MONTHS), self.weights)[0]

    def days(self, t: datetime, low: float, high: float) -> datetime:
        return t + timedelta(days=self.rng.uniform(low, high))

    def _post(self, postings: list, *, catalogue_share: float) -> list:
        """Give each posting a date; a share goes into the first three months (the initial catalogue)."""
        for p in postings:
            month = self.rng.randrange(3) if self.rng.random() < catalogue_share else self.weighted_month()
            p.posted_at = self.moment(month)
        return sorted(postings, key=lambda p: p.posted_at)

    # matches

    def _matches(self) -> list[MatchPlan]:
        rng, needs, caps = self.rng, self.needs, self.capabilities
        by_topic: dict[str, list[int]] = {}
        by_chain: dict[str, list[int]] = {}
        for ci, cap in enumerate(caps):
            by_topic.setdefault(cap.topic, []).append(ci)
            by_chain.setdefault(cap.chain, []).append(ci)
        matches: list[MatchPlan] = []
        for ni, need in enumerate(needs):
            pool = by_topic[need.topic]
            k = rng.choice([2, 2, 3, 3, 3, 4])
            early = [ci for ci in pool if caps[ci].posted_at < need.posted_at + timedelta(days=45)]
            candidates = early if len(early) >= k + 2 else pool
            chosen = rng.sample(candidates, k)
            other = [ci for ci in candidates if caps[ci].language != need.language and ci not in chosen]
            if other and all(caps[ci].language == need.language for ci in chosen) and rng.random() < 0.5:
                chosen[-1] = rng.choice(other)
            pairs = [(ci, False) for ci in chosen]
            if rng.random() < 0.08:
                off = [ci for ci in by_chain[need.chain] if caps[ci].topic != need.topic]
                if off:
                    pairs.append((rng.choice(off), True))
            planned = []
            for ci, off_topic in pairs:
                at = max(need.posted_at, caps[ci].posted_at) + timedelta(hours=rng.uniform(0.2, 30))
                if at < self.end:
                    planned.append((self._proposal(ni, ci, at, off_topic), off_topic))
            planned.sort(key=lambda p: -p[0].fused)
            solved_at = None
            for rank, (match, off_topic) in enumerate(planned, start=1):
                match.rank = rank
                self._lifecycle(match, need, off_topic, solved_at)
                solved_at = solved_at or match.accepted_at
                matches.append(match)
        matches.sort(key=lambda m: m.proposed_at)
        return matches

    def _proposal(self, ni: int, ci: int, at: datetime, off_topic: bool) -> MatchPlan:
        """A pair of the sample history, and its place among the need's pairs (an on-topic pair that shares
        more terms and fits the language comes first).

        Its explanation is not made up here, and its score is only provisional: the matching engine scores the
        pair on the same calibrated scale as every other match when it matches the need or the capability
        (pairs a person acted on, and sample pairs, are always rescored; backend.matches.matching). The draws
        below order the history and keep the rest of the generated data as it was; the score its proposal
        carried into the ledger (what the sensing score's qualified-match share reads) follows from the same
        draws: an on-topic pair 0.08 + 0.09 per shared concept + 2.5 x (closeness - 0.8), 0.08 less across
        languages; an off-topic pair 0.02 + 1.5 x (closeness - 0.765); between 0.01 and 0.95.
        """
        rng = self.rng
        need, cap = self.needs[ni], self.capabilities[ci]
        cross = need.language != cap.language
        shared = [] if off_topic else sorted(need.concepts & cap.concepts)
        if off_topic:
            closeness = rng.uniform(0.765, 0.81)
            score = 0.02 + 1.5 * (closeness - 0.765)
            dense_rank = rng.randint(8, 20)
            lexical_rank = None if cross or rng.random() < 0.5 else rng.randint(15, 40)
            if lexical_rank:
                rng.uniform(0.005, 0.02)
        else:
            closeness = rng.uniform(0.8, 0.9)
            score = 0.08 + 0.09 * min(5, len(shared)) + 2.5 * (closeness - 0.8) - (0.08 if cross else 0.0)
            dense_rank = rng.randint(1, 8)
            lexical_rank = None if cross else max(1, 1 + 2 * (5 - len(shared)) + rng.randint(0, 3))
            if not cross:
                rng.uniform(0, 0.02)
        ranks = [1 / (60 + dense_rank)] + ([1 / (60 + lexical_rank)] if lexical_rank else [])
        order = sum(ranks) / (1 if cross else 2)
        return MatchPlan(need=ni, capability=ci, dense=None, lexical=None, fused=round(order, 6), rank=0,
                         explanation=Explanation(sample=True), proposed_at=at,
                         score=round(min(0.95, max(0.01, score)), 3))

    def _lifecycle(self, m: MatchPlan, need: NeedPlan, off_topic: bool, solved_at: datetime | None) -> None:
        rng, t0 = self.rng, m.proposed_at
        roll = rng.random()
        reason = rng.choices(list(DECLINE_WEIGHTS), list(DECLINE_WEIGHTS.values()))[0]
        if off_topic:
            outcome, reason = ("decline" if roll < 0.6 else "expire"), "out_of_scope"
        elif solved_at is not None:
            outcome, reason = ("decline" if roll < 0.5 else "expire"), "already_solved"
        else:
            accept = {1: 0.5, 2: 0.32}.get(m.rank, 0.2)
            outcome = "accept" if roll < accept else "decline" if roll < accept + 0.28 else "expire"
        first, second = ("firm", "university") if rng.random() < 0.55 else ("university", "firm")
        steps: list[MatchStep] = []
        if outcome == "accept":
            t1 = self.days(t0, 1, 20)
            steps = [MatchStep(first, t1), MatchStep(second, self.days(t1, 2, 30))]
        elif outcome == "decline":
            if rng.random() < 0.4:
                steps.append(MatchStep(first, self.days(t0, 1, 15)))
            t = self.days(steps[-1].at if steps else t0, 2, 25)
            if solved_at is not None:
                t = max(t, self.days(solved_at, 1, 10))
            note = rng.choice(DECLINE_NOTES[reason])[0 if need.language == "zh" else 1]
            steps.append(MatchStep("decline", t, reason, note))
        else:
            if rng.random() < 0.35:
                steps.append(MatchStep(first, self.days(t0, 1, 30)))
            t = self.days(t0, EXPIRY_DAYS, EXPIRY_DAYS + 10)
            if solved_at is not None:
                t = max(t, self.days(solved_at, 1, 10))
            steps.append(MatchStep("expire", t))
        m.steps = [s for s in steps if s.at < self.end]

    # projects

    def _projects(self) -> list[ProjectPlan]:
        rng, projects = self.rng, []
        for mi, m in enumerate(self.matches):
            accepted = m.accepted_at
            if accepted is None or rng.random() >= 0.75:
                continue
            created = self.days(accepted, 7, 35)
            if created >= self.end:
                continue
            need = self.needs[m.need]
            if need.budget_min is not None and need.budget_max is not None:
                value = _money(rng.uniform(float(need.budget_min), float(need.budget_max)))
            else:
                value = _money(rng.uniform(300_000, 2_000_000))
            title = (f"{need.subject}联合攻关项目{SAMPLE_ZH}" if need.language == "zh"
                     else f"Joint project on {need.subject}{SAMPLE_EN}")
            projects.append(self._progress(ProjectPlan(
                title=title, match=mi, parties=[], chain=need.chain, contract_value=value, major_level="none",
                created_at=created), english=need.language == "en"))
        projects += self._direct_projects()
        self._major_levels(projects)
        projects.sort(key=lambda p: p.created_at)
        return projects

    def _direct_projects(self, count: int = 18) -> list[ProjectPlan]:
        """Projects agreed outside the platform's matching and recorded directly."""
        rng, content = self.rng, self.content
        firms, labs = content.firms(), content.research(foreign=False)
        out = []
        for n in range(count):
            month = round(n * (HISTORY_MONTHS - 1) / (count - 1))
            topic = rng.choice(TOPICS)
            firm = rng.choice([f for f in firms if set(f.chains) & set(topic.firm_chains)])
            lab = rng.choice([o for o in labs if topic.chain in o.chains])
            parties = [firm.key, lab.key]
            if rng.random() < 0.25:
                more = [f for f in firms if topic.chain in f.chains and f.key != firm.key]
                if more:
                    parties.append(rng.choice(more).key)
            title = f"{topic.name[0]}联合攻关项目（{firm.short}×{lab.short}，示例）"
            out.append(self._progress(ProjectPlan(
                title=title, match=None, parties=parties, chain=topic.chain,
                contract_value=_money(rng.uniform(300_000, 3_000_000)), major_level="none",
                created_at=self.moment(month)), english=False))
        return out

    def _progress(self, p: ProjectPlan, *, english: bool) -> ProjectPlan:
        rng, end = self.rng, self.end
        steps: list[tuple[str, datetime]] = []
        duration = rng.uniform(240, 480)
        active = self.days(p.created_at, 10, 45)
        terminated = completed = None
        if rng.random() < 0.04:
            terminated = self.days(p.created_at, 20, 60)
            steps.append(("terminated", terminated))
        else:
            steps.append(("active", active))
            if rng.random() < 0.1:
                terminated = self.days(active, 60, 240)
                steps.append(("terminated", terminated))
            else:
                completed = active + timedelta(days=duration * rng.uniform(0.95, 1.15))
                steps.append(("completed", completed))
                if rng.random() < 0.6:
                    steps.append(("commercialised", self.days(completed, 45, 180)))
        p.steps = [s for s in steps if s[1] < end]
        reached_active = any(s == "active" for s, _ in p.steps)
        picked = sorted(rng.sample(range(1, len(MILESTONES) - 1), rng.choice([1, 2, 2, 3])))
        chosen = [0, *picked, len(MILESTONES) - 1]
        for i, m in enumerate(chosen, start=1):
            due = active + timedelta(days=duration * i / len(chosen))
            done: datetime | None = self.days(due, -10, 20)
            if completed is not None:
                done = min(done, completed)
            if (not reached_active or done < active or done >= end
                    or (terminated is not None and done >= terminated)):
                done = None
            p.milestones.append((MILESTONES[m][1 if english else 0], due.date(),
                                 done.date() if done else None))
        return p

    def _major_levels(self, projects: list[ProjectPlan]) -> None:
        """A few big projects enter the municipal, provincial or national major-project lists."""
        rng = self.rng
        pool = sorted((p for p in projects if p.contract_value >= 800_000), key=lambda p: -p.contract_value)
        national = rng.sample(pool[:8], 2)
        rest = [p for p in pool if p not in national]
        provincial = rng.sample(rest[:25], 6)
        rest = [p for p in rest if p not in provincial]
        municipal = rng.sample(rest, min(12, len(rest)))
        for level, chosen, factor in (("national", national, 3.0), ("provincial", provincial, 1.8),
                                      ("municipal", municipal, 1.2)):
            for p in chosen:
                p.major_level = level
                p.contract_value = _money(float(p.contract_value) * factor)

    # partnerships

    def _partnerships(self, count: int = 52) -> list[PartnershipPlan]:
        rng, content = self.rng, self.content
        foreign = content.research(foreign=True)
        companies = [o for o in foreign if o.key in FOREIGN_COMPANIES]
        labs = content.research(foreign=False)
        firms = [f for f in content.firms() if f.region in SHAOXING_DISTRICTS]
        months = sorted(list(range(HISTORY_MONTHS))
                        + rng.choices(range(HISTORY_MONTHS), self.weights, k=count - HISTORY_MONTHS))
        out = []
        for month in months:
            kind = rng.choices(list(PARTNERSHIP_KIND_WEIGHTS), list(PARTNERSHIP_KIND_WEIGHTS.values()))[0]
            partner = (rng.choice(companies) if kind in ("investment", "licensing") and rng.random() < 0.5
                       else rng.choice(foreign))
            academic = kind in ("talent_exchange", "co_publication")
            locals_ = labs if rng.random() < (0.7 if academic else 0.2) else firms
            fitting = [o for o in locals_ if set(o.chains) & set(partner.chains)] or locals_
            local = rng.choice(fitting)
            topics = [t for t in TOPICS if t.chain in partner.chains and t.chain in local.chains]
            topic = rng.choice(topics or [t for t in TOPICS if t.chain in partner.chains])
            at = self.moment(month)
            low, high = PARTNERSHIP_VALUES[kind]
            value = _money(rng.uniform(low, high)) if high else Decimal(0)
            ended = {"talent_exchange": (180, 365), "co_publication": (30, 200),
                     "joint_rd": (540, 1100)}.get(kind)
            ended_on = None
            if ended is not None:
                candidate = at.date() + timedelta(days=rng.randint(*ended))
                ended_on = candidate if candidate < self.end.date() else None
            text = PARTNERSHIP_TEXT[kind].format(
                topic=topic.name[0], field=topic.field[0], method=rng.choice(topic.methods)[0],
                comp=rng.choice(topic.components)[0], foreign=partner.short, local=local.short)
            out.append(PartnershipPlan(local=local.key, foreign=partner.key, kind=kind, chain=topic.chain,
                                       value=value, started_on=at.date(), ended_on=ended_on,
                                       description=f"{text}（示例数据）", at=at))
        return out

    # organisations join before their first activity

    def _join_dates(self) -> None:
        first: dict[str, datetime] = {}

        def seen(key: str, at: datetime) -> None:
            if key not in first or at < first[key]:
                first[key] = at

        for p in [*self.needs, *self.capabilities]:
            seen(p.org, p.posted_at)
        for s in self.partnerships:
            seen(s.local, s.at)
            seen(s.foreign, s.at)
        for pr in self.projects:
            for key in pr.parties:
                seen(key, pr.created_at)
        for org in self.content.orgs:
            anchor = first.get(org.key, self.start)
            org.joined_at = self.days(anchor, -60 if org.key not in first else -40, -3)
