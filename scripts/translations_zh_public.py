"""Simplified Chinese for the public pages' exact lookup and "why listed" (merged by
translations_zh.py)."""

ZH_PUBLIC = {
    # exact lookup: a number that fails its own check
    "This is not a valid ID number or credit code: check it.": "这不是有效的公民身份号码或统一社会信用代码，请核对。",
    "The region code in this resident ID number is unknown.": "公民身份号码中的地区代码不存在。",
    "Nothing was looked up: correct the number in the exact lookup above.": "未进行查询：请更正上方精确查询中的号码。",
    # the public entry
    "The law or regulation the decision rests on.": "作出决定所依据的法律法规。",
    # each kind of list and the way off it
    "%(shorter)s or %(longer)s": "%(shorter)s或%(longer)s",
    ", ": "、",
    "The lists, and the way off each": "各类名单及其移出方式",
    "Each entry was decided by an authority under a stated legal basis. The entries come from these lists, grouped by the kind of authority that keeps them:": "每一条目都由有关机关依据明确的法律依据作出决定。条目来自以下名单，按作出决定的机关类别分组：",
    "Every list in detail: how long it is public and how to get off it": "各类名单详情：公示多久、如何移出",
    "Other entries leave the list when their publication period ends, or earlier on a granted credit repair.": "其他条目在公示期满时移出；信用修复获准的，即时移出。",
    "Each list and the way off it": "各类名单及移出方式",
    "The record types that can be published, grouped by the kind of authority that decides them. An objection to that authority is open for every one of them.": "可以公示的记录类型，按作出决定的机关类别分组。对其中任何一类，均可向该机关提出异议。",
    "A court listing ends when the obligation is performed, a settlement is performed or the creditor withdraws: the court takes it down within 3 working days.": "失信被执行人名单：履行完毕义务、履行完毕和解协议或申请执行人撤回申请的，法院在3个工作日内删除失信信息。",
    "Its other entries are public for %(low)s to %(high)s from the decision date and then leave the list; credit repair can be applied for after %(repair)s.": "其他条目自决定之日起公示%(low)s至%(high)s，期满后移出；满%(repair)s后可申请信用修复。",
    "Entries are public for %(low)s to %(high)s from the decision date and then leave the list; credit repair can be applied for after %(repair)s.": "条目自决定之日起公示%(low)s至%(high)s，期满后移出；满%(repair)s后可申请信用修复。",
    "You can always object to the authority that decided.": "均可向作出决定的机关提出异议。",
    "Who can be listed": "公示对象",
    "How long it is public": "公示期限",
    "Way off the list": "移出方式",
    "Persons": "自然人",
    "Ground 1: until the obligation is performed (reviewed after 2 years). Grounds 2–6: 2 years.": "第1项情形：至履行义务时止（满2年复核）；第2至6项情形：2年。",
    "%(low)s to %(high)s from the decision date": "自决定之日起%(low)s至%(high)s",
    "Perform the obligation, perform a settlement, or the creditor withdraws: the court takes the listing down within 3 working days.": "履行完毕义务、履行完毕和解协议或申请执行人撤回申请：法院在3个工作日内删除失信信息。",
    "Leaves the list when its period ends.": "公示期满即移出。",
    "Leaves the list when its period ends. Credit repair can be applied for %(after)s after the decision; a granted repair takes it down at once.": "公示期满即移出。决定作出满%(after)s后可申请信用修复，修复获准即撤下公示。",
    "Wrong or out of date? Object to the authority that decided (%(authority)s), citing the case number; it decides within 15 days.": "信息有误或已过时？请向作出决定的机关（%(authority)s）提出异议并注明案号，该机关在15日内作出决定。",
}  # fmt: skip

ZH_PUBLIC_PLURALS = {
    "%(count)d year": "%(count)d年",
    "%(count)d month": "%(count)d个月",
}
