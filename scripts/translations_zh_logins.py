"""Simplified Chinese for issue 13 (logins): public ids, login limits, four-eyes editors."""

ZH_LOGINS = {
    "public id": "公开编号",
    "The entry's random public id (its detail address).": "该条目的随机公开编号（即其详情地址）。",
    "More than %(limit)s log-in attempts were made from your address in a minute. Please try again in a minute.": "一分钟内从您的地址发起的登录尝试超过%(limit)s次。请一分钟后再试。",
    "edited by": "编辑人",
    "Four-eyes rule: an official who edited the draft cannot decide the case.": "双人复核规则：编辑过草稿的工作人员不能作出该案件的决定。",
}

ZH_LOGINS_PLURALS = {
    "Too many failed log-ins for this ID number. Please try again in %(n)d second.": "该身份证号登录失败次数过多。请%(n)d秒后再试。",
}
