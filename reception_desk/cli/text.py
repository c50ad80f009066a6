"""The command line's own words in Chinese (default) and English."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "zh": {
        "day_created": "已创建接访日 {date}：{title}，15 个接待室。",
        "demo_created": "已生成演示接访日 {date}：{batches} 批 {people} 人，{cases} 件已记录。数据库：{db}",
        "demo_users": "演示用户（仅供演示）：admin 管理员、desk1 登记台、host1 接待室（第1–5接待室）、chief 督办，"
        "密码均为 demo。",
        "imported": "导入完成：{imported} 批 {people} 人；"
        "警告 {warnings} 行，拒绝 {rejected} 行，重复 {duplicates} 行。",
        "assigned": "已分配 {assigned} 批。",
        "exported": "已导出 {rows} 行到 {file}。",
        "exported_unmasked": "已导出 {rows} 行到 {file}（含完整的身份证号和电话，已记入操作日志）。",
        "upgraded": "数据库结构已是最新版本（{rev}）。",
        "backup_before": "升级前已备份到 {file}",
        "backup_done": "已备份到 {file}",
        "moved": "{reg_no} 已调整到第{room}接待室。",
        "moved_numbered": "{reg_no} 已调整到第{room}接待室，新的排队号为 {number} 号，请重新打印排队号。",
        "error": "错误：{msg}",
        "internal": "内部错误：{msg}（详细信息已写入 {log}）",
        "db_unreachable": "无法连接数据库：{msg}",
        "cols": "登记号|姓名|人数|问题类别|接待室|状态|标记",
        "rows_total": "共 {n} 批 {people} 人",
    },
    "en": {
        "day_created": "Created reception day {date}: {title}, 15 rooms.",
        "demo_created": "Demo day {date}: {batches} batches, {people} people, {cases} cases recorded. Database: {db}",
        "demo_users": "Demo users (demo only): admin, desk1 (desk), host1 (rooms 1-5), chief (supervisor), "
        "all with the password demo.",
        "imported": "Imported {imported} batches ({people} people); {warnings} warnings, {rejected} rejected, "
        "{duplicates} duplicates.",
        "assigned": "Assigned {assigned} batches.",
        "exported": "Exported {rows} rows to {file}.",
        "exported_unmasked": "Exported {rows} rows to {file} (whole ID numbers and phones; recorded in the audit log).",
        "upgraded": "The schema is at the newest revision ({rev}).",
        "backup_before": "Backed up before the upgrade to {file}",
        "backup_done": "Backed up to {file}",
        "moved": "{reg_no} moved to room {room}.",
        "moved_numbered": "{reg_no} moved to room {room}, new queue number {number}; please reprint the ticket.",
        "error": "Error: {msg}",
        "internal": "Internal error: {msg} (details in {log})",
        "db_unreachable": "Cannot reach the database: {msg}",
        "cols": "Reg no|Name|People|Theme|Room|Status|Flags",
        "rows_total": "{n} batches, {people} people",
    },
}


def say(lang: str, key: str, **values: object) -> str:
    """The message `key` in the chosen language, filled in."""
    table = MESSAGES.get(lang, MESSAGES["zh"])
    return table[key].format(**values)
