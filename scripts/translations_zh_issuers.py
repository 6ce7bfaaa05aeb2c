"""Simplified Chinese for who may issue which record type (issue 12, item 9)."""

ZH_ISSUERS = {
    "may be issued by": "可作出机关类别",
    "The kinds of authority that may issue a record of this type.": "可作出此类记录的机关类别。",
    "A “%(kind)s” authority may not issue this record type; it may be issued by: %(kinds)s.": (
        "“%(kind)s”类机关不得作出此类记录；可作出此类记录的机关类别：%(kinds)s。"
    ),
    "Choose at least one kind of authority that may issue it.": "请至少选择一类可作出此类记录的机关。",
    "Choose a record type your authority may issue: the list offers only those.": (
        "请选择本机关可作出的记录类型：列表中只列出这些类型。"
    ),
}
