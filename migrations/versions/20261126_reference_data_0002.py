"""reference data: regions (official codes) and the industry-chain taxonomy

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# code, level, country, name_zh, name_en, parent code
REGIONS = [
    ("CN", "country", "CN", "中国", "China", None),
    ("330000", "province", "CN", "浙江省", "Zhejiang", "CN"),
    ("330600", "city", "CN", "绍兴市", "Shaoxing", "330000"),
    ("330602", "district", "CN", "越城区", "Yuecheng", "330600"),
    ("330603", "district", "CN", "柯桥区", "Keqiao", "330600"),
    ("330604", "district", "CN", "上虞区", "Shangyu", "330600"),
    ("330624", "district", "CN", "新昌县", "Xinchang", "330600"),
    ("330681", "district", "CN", "诸暨市", "Zhuji", "330600"),
    ("330683", "district", "CN", "嵊州市", "Shengzhou", "330600"),
    ("330100", "city", "CN", "杭州市", "Hangzhou", "330000"),
    ("330200", "city", "CN", "宁波市", "Ningbo", "330000"),
    ("DE", "country", "DE", "德国", "Germany", None),
    ("JP", "country", "JP", "日本", "Japan", None),
    ("GB", "country", "GB", "英国", "United Kingdom", None),
    ("US", "country", "US", "美国", "United States", None),
    ("IT", "country", "IT", "意大利", "Italy", None),
    ("KR", "country", "KR", "韩国", "South Korea", None),
    ("SE", "country", "SE", "瑞典", "Sweden", None),
    ("CH", "country", "CH", "瑞士", "Switzerland", None),
]

# code, name_zh, name_en, characteristic, parent code
CHAINS = [
    ("equipment", "高端智能装备", "High-end intelligent equipment", True, None),
    ("bearings", "轴承", "Bearings", True, "equipment"),
    ("smart_motors", "智能电机", "Smart motors", True, "equipment"),
    ("cnc_machine_tools", "数控机床", "CNC machine tools", True, "equipment"),
    ("robots_reducers", "机器人与减速器", "Robots and reducers", True, "equipment"),
    ("energy_env_equipment", "节能环保装备", "Energy-saving and environmental equipment", True, "equipment"),
    ("hydrogen_drones", "氢能与无人机", "Hydrogen energy and drones", False, "equipment"),
    ("textile_machinery", "纺织机械", "Textile machinery", True, "equipment"),
    ("key_components", "关键零部件", "Key components", True, "equipment"),
    ("wind_power_equipment", "风电装备", "Wind-power equipment", False, "key_components"),
    ("sensors_control", "传感与控制系统", "Sensors and control systems", False, "equipment"),
]


def upgrade() -> None:
    conn = op.get_bind()
    for code, level, country, zh, en, parent in REGIONS:
        conn.execute(
            sa.text(
                "INSERT INTO regions (code, level, country_code, name_zh, name_en, parent_id) "
                "VALUES (:code, :level, :country, :zh, :en, (SELECT id FROM regions WHERE code = :parent))"
            ),
            {"code": code, "level": level, "country": country, "zh": zh, "en": en, "parent": parent},
        )
    for code, zh, en, characteristic, parent in CHAINS:
        conn.execute(
            sa.text(
                "INSERT INTO industry_chains (code, name_zh, name_en, is_characteristic, parent_id) "
                "VALUES (:code, :zh, :en, :ch, (SELECT id FROM industry_chains WHERE code = :parent))"
            ),
            {"code": code, "zh": zh, "en": en, "ch": characteristic, "parent": parent},
        )


def downgrade() -> None:
    op.execute("DELETE FROM industry_chains")
    op.execute("DELETE FROM regions")
