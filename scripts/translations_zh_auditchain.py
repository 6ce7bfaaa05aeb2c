"""Simplified Chinese for the tamper-evident audit trail (issue 13): the hash chain, its
verification and the dashboard line. Imported by translations_zh.py."""

ZH_AUDITCHAIN = {
    "chain position": "链序号",
    "hash of the previous row": "前一条记录的哈希值",
    "row hash": "本条记录的哈希值",
    "a row before it is missing": "其前面的一条记录已缺失",
    "the row before it was changed": "其前一条记录已被改动",
    "its content was changed": "其内容已被改动",
    "a row verified earlier is missing or changed": "先前已校验的记录缺失或被改动",
    "verified at": "校验时间",
    "intact": "完整",
    "rows checked": "已校验记录数",
    "last chain position": "最后链序号",
    "last audit row": "最后一条审计记录",
    "last row hash": "最后一条记录的哈希值",
    "broken at audit row": "断链处的审计记录",
    "broken at chain position": "断链处的链序号",
    "audit trail verification": "审计日志校验",
    "audit trail verifications": "审计日志校验",
    "Audit trail not verified yet.": "审计日志尚未校验。",
    "Audit trail verified at %(when)s: intact (%(rows)s rows).": (
        "审计日志已于 %(when)s 校验：完整（共 %(rows)s 条记录）。"
    ),
    "Audit trail verified at %(when)s: broken at row %(row)s (%(reason)s).": (
        "审计日志已于 %(when)s 校验：在第 %(row)s 号记录处断链（%(reason)s）。"
    ),
}
