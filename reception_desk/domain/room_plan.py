"""The default plan of a reception day: 15 themed rooms and a directory of district departments."""

from __future__ import annotations

from dataclasses import dataclass

from reception_desk.domain.rooms import room_label


@dataclass(frozen=True, slots=True)
class RoomSpec:
    """One room of the default plan."""

    number: int
    theme: str
    name: str
    location: str
    capacity: int


_ROOM_THEMES = (
    (1, "land"),
    (2, "land"),
    (3, "safety_env"),
    (4, "labour"),
    (5, "labour"),
    (6, "grassroots"),
    (7, "agriculture"),
    (8, "transport"),
    (9, "law"),
    (10, "law"),
    (11, "urban"),
    (12, "edu_health"),
    (13, "civil"),
    (14, "economy"),
    (15, "general"),
)

# Rooms 1, 4 and 9 are the larger classrooms (40 seats), kept for the biggest collective visits.
_LARGE_ROOMS = {1, 4, 9}


def default_rooms() -> list[RoomSpec]:
    """The 15-room plan of domain.md: 1-2 land, 3 safety/env, 4-5 labour, ..., 15 general."""
    rooms = []
    for number, theme in _ROOM_THEMES:
        floor = 1 if number <= 8 else 2
        rooms.append(
            RoomSpec(
                number=number,
                theme=theme,
                name=room_label(number),
                location=f"教学楼{floor}楼 {floor}{number:02d}教室",
                capacity=40 if number in _LARGE_ROOMS else 20,
            )
        )
    return rooms


@dataclass(frozen=True, slots=True)
class DepartmentSpec:
    """A department of the directory, with the themes whose rooms suggest it first."""

    name: str
    short_name: str
    themes: tuple[str, ...] = ()
    kind: str = "bureau"  # bureau | township


DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec("自然资源和规划分局", "自然资源", ("land",)),
    DepartmentSpec("征收办", "征收办", ("land",)),
    DepartmentSpec("住房和城乡建设局", "住建局", ("land", "urban")),
    DepartmentSpec("应急管理局", "应急局", ("safety_env",)),
    DepartmentSpec("生态环境分局", "生态环境", ("safety_env",)),
    DepartmentSpec("人力资源和社会保障局", "人社局", ("labour",)),
    DepartmentSpec("医疗保障局", "医保局", ("labour", "edu_health")),
    DepartmentSpec("区委组织部", "组织部", ("grassroots",)),
    DepartmentSpec("区纪委区监委", "纪委监委", ("grassroots",)),
    DepartmentSpec("农业农村局", "农业农村", ("agriculture",)),
    DepartmentSpec("林业水利局", "林水局", ("agriculture",)),
    DepartmentSpec("交通运输局", "交通局", ("transport",)),
    DepartmentSpec("区委政法委", "政法委", ("law",)),
    DepartmentSpec("区法院", "法院", ("law",)),
    DepartmentSpec("区检察院", "检察院", ("law",)),
    DepartmentSpec("公安分局", "公安", ("law",)),
    DepartmentSpec("司法局", "司法局", ("law",)),
    DepartmentSpec("教育局", "教育局", ("edu_health",)),
    DepartmentSpec("卫生健康局", "卫健局", ("edu_health",)),
    DepartmentSpec("民政局", "民政局", ("civil",)),
    DepartmentSpec("经济和信息化局", "经信局", ("economy",)),
    DepartmentSpec("市场监督管理局", "市场监管", ("economy",)),
    DepartmentSpec("信访局", "信访局", ("general",)),
)

TOWNSHIPS: tuple[str, ...] = (
    "樟潭街道",
    "浮石街道",
    "东港街道",
    "高家镇",
    "湖南镇",
    "莲花镇",
    "杜泽镇",
    "廿里镇",
    "后溪镇",
    "全旺镇",
    "大洲镇",
    "上方镇",
    "峡川镇",
    "太真乡",
    "云溪乡",
    "黄坛口乡",
    "周家乡",
    "灰坪乡",
    "举村乡",
    "岭洋乡",
    "双桥乡",
)


def default_departments() -> list[DepartmentSpec]:
    """District departments with theme defaults, then every township as a department."""
    towns = [
        DepartmentSpec(f"{t}", t.removesuffix("街道").removesuffix("镇").removesuffix("乡"), (), "township")
        for t in TOWNSHIPS
    ]
    return [*DEPARTMENTS, *towns]
