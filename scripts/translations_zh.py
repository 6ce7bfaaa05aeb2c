"""Simplified Chinese for the project's message catalog.

    python scripts/translations_zh.py   # fills locale/zh_Hans/LC_MESSAGES/django.po, compiles .mo

Run after `manage.py makemessages -l zh_Hans`; needs `pip install polib` (authoring only:
the .po and .mo files are committed, so nothing here runs at install or run time).
"""

from pathlib import Path

import polib
from translations_zh_accounts import ZH_ACCOUNTS
from translations_zh_api import ZH_API
from translations_zh_auditchain import ZH_AUDITCHAIN
from translations_zh_calendar import ZH_CALENDAR, ZH_CALENDAR_PLURALS
from translations_zh_citizens import ZH_CITIZENS
from translations_zh_faults import ZH_FAULTS
from translations_zh_issuers import ZH_ISSUERS
from translations_zh_lifecycle import ZH_LIFECYCLE
from translations_zh_logins import ZH_LOGINS, ZH_LOGINS_PLURALS
from translations_zh_lowitems import ZH_LOWITEMS
from translations_zh_more import ZH_MORE, ZH_PLURALS
from translations_zh_nofivehundred import ZH_NOFIVEHUNDRED, ZH_NOFIVEHUNDRED_PLURALS
from translations_zh_otp import ZH_OTP, ZH_OTP_PLURALS
from translations_zh_public import ZH_PUBLIC, ZH_PUBLIC_PLURALS

ZH = {
    "ID number (masked)": "身份证号（脱敏）",
    "Citizens": "公民",
    "Male": "男",
    "Female": "女",
    "subject": "信用主体",
    "resident ID number": "公民身份号码",
    "name": "名称",
    "birth date": "出生日期",
    "sex": "性别",
    "region of registration": "户籍地区",
    "e-mail for notices": "接收通知的电子邮箱",
    "portal account": "门户账户",
    "citizen": "公民",
    "citizens": "公民",
    "The name is required.": "名称为必填项。",
    "The name is too long (100 characters at most).": "名称过长（最多100个字符）。",
    "A citizen with this resident ID number is already registered.": "该公民身份号码已登记。",
    "Enterprises": "企业",
    "In operation": "存续",
    "Listed for abnormal operation": "列入经营异常名录",
    "Business licence revoked": "吊销营业执照",
    "Deregistered": "注销",
    "unified social credit code": "统一社会信用代码",
    "legal representative": "法定代表人",
    "status": "状态",
    "registered address": "注册地址",
    "enterprise": "企业",
    "enterprises": "企业",
    "An enterprise with this credit code is already registered.": "该统一社会信用代码已登记。",
    "roles": "角色",
    "publication period (days)": "公示期限（天）",
    "Leave empty for the tier's maximum.": "留空则取该等级的最长期限。",
    "Empty: the record type's legal basis.": "留空则使用该记录类型的法律依据。",
    "Integrity records": "信用记录",
    "A resident ID number has 18 characters; this one has %(count)d.": "公民身份号码应为18位，此号码为%(count)d位。",
    "A resident ID number is 17 digits followed by a digit or X.": "公民身份号码由17位数字加1位数字或X组成。",
    "The check digit of this resident ID number is wrong; please check the number.": "公民身份号码校验位错误，请核对号码。",
    "The birth date in this resident ID number is not a real date.": "公民身份号码中的出生日期不是有效日期。",
    "The birth date in this resident ID number is impossible.": "公民身份号码中的出生日期不可能成立。",
    "The region code %(code)s in this resident ID number is unknown.": "公民身份号码中的地区代码%(code)s不存在。",
    "A unified social credit code has 18 characters; this one has %(count)d.": "统一社会信用代码应为18位，此代码为%(count)d位。",
    "A unified social credit code uses only digits and the letters A-H, J-N, P, Q, R, T, U, "
    "W, X, Y.": "统一社会信用代码只能包含数字和字母A-H、J-N、P、Q、R、T、U、W、X、Y。",
    "Characters 3 to 8 of a unified social credit code are the region code (digits).": "统一社会信用代码第3至8位为行政区划码，应为数字。",
    "The check character of this unified social credit code is wrong.": "统一社会信用代码校验码错误。",
    "Government affairs integrity": "政务诚信",
    "Commercial integrity": "商务诚信",
    "Societal integrity": "社会诚信",
    "Judicial credibility": "司法公信",
    "Person": "自然人",
    "Enterprise": "企业",
    "kind": "类别",
    "name in pinyin": "名称拼音",
    "region code": "地区代码",
    "masked identifier": "脱敏标识",
    "subjects": "信用主体",
    "Court": "人民法院",
    "Tax bureau": "税务机关",
    "Market regulation": "市场监督管理",
    "Ecology and environment": "生态环境",
    "Transport": "交通运输",
    "Education": "教育",
    "Emergency management": "应急管理",
    "Civil affairs": "民政",
    "Health commission": "卫生健康",
    "People's government": "人民政府",
    "National": "国家级",
    "Provincial": "省级",
    "Municipal": "市级",
    "County / district": "县（区）级",
    "code": "代码",
    "name (English)": "英文名称",
    "level": "级别",
    "parent authority (appeals)": "上级机关（复核）",
    "active": "有效",
    "authority": "决定机关",
    "authorities": "决定机关",
    "job title": "职务",
    "official": "工作人员",
    "officials": "工作人员",
    "Restriction": "惩戒措施",
    "Incentive": "激励措施",
    "title": "名称",
    "title (English)": "英文名称",
    "enforcing agency": "实施单位",
    "legal basis": "法律依据",
    "description": "说明",
    "measure": "措施",
    "measures": "措施",
    "Negative": "失信",
    "Positive": "守信",
    "Minor": "轻微",
    "General": "一般",
    "Serious": "严重",
    "domain": "领域",
    "polarity": "性质",
    "severity tier": "严重程度",
    "points": "分值",
    "Negative for negative records, positive for positive ones.": "失信记录为负分，守信记录为正分。",
    "applies to": "适用主体",
    "administrative penalty": "行政处罚",
    "Individuals' administrative penalties are never published.": "自然人的行政处罚信息不予公示。",
    "places the subject on the public list": "列入公开名单",
    "minimum publication (days)": "最短公示期（天）",
    "maximum publication (days)": "最长公示期（天）",
    "Empty for an open-ended listing (judicial ground 1: until performance).": "留空表示不定期（司法情形一：至履行完毕）。",
    "counts towards the score for (days)": "计分有效期（天）",
    "Empty: the rule set's default (1 year).": "留空则取评分规则默认值（1年）。",
    "measures triggered": "触发的措施",
    "attestation": "合规声明",
    "The supervisor's statement that this type rests on a decision under the cited legal "
    "basis and on none of the prohibited grounds.": "主管人员声明：该类型以依据所引法律作出的决定为基础，且不涉及任何禁止的依据。",
    "attested by": "声明人",
    "attested at": "声明时间",
    "record type": "记录类型",
    "record types": "记录类型",
    "Not performed": "未履行",
    "Partially performed": "部分履行",
    "Performed": "已履行",
    "Pending notice": "待告知",
    "Active": "有效",
    "Under objection": "异议处理中",
    "Repaired": "已信用修复",
    "Expired": "已到期",
    "Revoked": "已撤销",
    "Able to perform but refuses": "有履行能力而拒不履行",
    "Obstructs enforcement by forged evidence, violence or threats": "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
    "Evades enforcement by sham litigation, arbitration or hiding assets": "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行",
    "Breaches the asset-reporting order": "违反财产报告制度",
    "Breaches a consumption-restriction order": "违反限制消费令",
    "Refuses to honour a settlement agreement without cause": "无正当理由拒不履行执行和解协议",
    "type": "类型",
    "decision number": "决定文书号",
    "decision date": "决定日期",
    "facts": "事实",
    "amount (CNY)": "金额（元）",
    "obligation": "义务",
    "listing ground": "失信情形",
    "performance": "履行情况",
    "counts from": "计分起始",
    "counts until": "计分截止",
    "published from": "公示起始",
    "published until": "公示截止",
    "integrity record": "信用记录",
    "integrity records": "信用记录",
    "This authority already has a record with this decision number.": "该机关已有使用此决定文书号的记录。",
    "actor": "操作人",
    "action": "操作",
    "object type": "对象类型",
    "object id": "对象编号",
    "object": "对象",
    "old values": "原值",
    "new values": "新值",
    "IP address": "IP地址",
    "time": "时间",
    "audit event": "审计事件",
    "audit events": "审计事件",
    "A person under 18 on the decision date is never listed.": "决定作出时未满18周岁的，不得纳入名单。",
    "A listing needs exactly one ground (1-6).": "纳入名单须载明一种失信情形（1至6）。",
    "For this tier the publication period is %(low)d to %(high)d days.": "该等级的公示期限为%(low)d至%(high)d天。",
    "The catalog may not hold a category based on opinion, speech, belief, ethnicity, health, "
    "sexual life, union membership or relatives (found “%(word)s”).": "目录不得包含基于观点、言论、信仰、民族、健康、性生活、工会会员身份或亲属行为的类别"
    "（发现“%(word)s”）。",
    "A record type needs a legal basis.": "记录类型必须载明法律依据。",
    "The supervisor's attestation is required.": "须有主管人员的合规声明。",
    "The decision number is required.": "决定文书号为必填项。",
    "The decision date cannot be in the future.": "决定日期不能晚于今天。",
    "This record type is no longer in use.": "该记录类型已停用。",
    "This record type does not apply to this kind of subject.": "该记录类型不适用于此类主体。",
    "A listing ground applies only to blacklist records.": "失信情形仅适用于列入名单的记录。",
    "This authority already has a record with decision number %(number)s.": "该机关已有决定文书号为%(number)s的记录。",
    "The notice period runs until %(date)s.": "告知期至%(date)s届满。",
    "Simplified Chinese": "简体中文",
    "English": "英语",
    "Public Credit Information Portal": "公共信用信息门户",
    "Skip to main content": "跳到主要内容",
    "Main": "主导航",
    "Home": "首页",
    "Officials": "工作人员入口",
    "Language": "语言",
    "Switch": "切换",
    "This portal publishes decisions made by public authorities under a stated legal basis. "
    "It records no behaviour, opinion, belief, ethnicity or health data.": "本门户公示公共机关依据明确法律依据作出的决定，不记录任何行为轨迹、观点、信仰、民族或健康信息。",
    "Integrity records kept by public authorities in four domains: government affairs, "
    "commercial, societal and judicial. Every record cites the authority that decided it, the "
    "decision number and date, and its legal basis.": "公共机关在政务诚信、商务诚信、社会诚信和司法公信四个领域记录的信用信息。"
    "每条记录均载明作出决定的机关、决定文书号、决定日期及法律依据。",
    "What the list of dishonest judgment debtors is": "什么是失信被执行人名单",
    "A court may list a judgment debtor who is able to perform an effective judgment but "
    "refuses to, or who obstructs or evades enforcement. The legal basis is the Supreme "
    "People's Court's Provisions on Publishing the List of Dishonest Judgment Debtors (Fa Shi "
    "[2017] No. 7). Persons under 18 are never listed.": "被执行人有履行能力而拒不履行生效法律文书确定的义务，或者妨碍、规避执行的，人民法院可以将其"
    "纳入失信被执行人名单。法律依据为《最高人民法院关于公布失信被执行人名单信息的若干规定》"
    "（法释〔2017〕7号）。未满18周岁的人不予纳入。",
    "Your rights if you are listed": "被列入名单时您的权利",
    "You receive a notice before anything is published, and at least 10 days to respond.": "公示前您会收到告知，并至少有10天时间作出回应。",
    "You may object to a record; the authority decides within 15 days, and you may appeal to "
    "the higher authority.": "您可以对记录提出异议，机关在15日内作出决定；您还可以向上级机关申请复核。",
    "Once you perform the obligation, settle, or the creditor withdraws, the listing is "
    "removed at once.": "履行义务、达成并履行和解或申请执行人撤回申请的，立即删除名单信息。",
    "Credit repair is free. After a granted repair the entry leaves the public list.": "信用修复免费。修复申请获准后，相关信息立即停止公示。",
    "You can see every time an official looked at your record.": "您可以查看工作人员每一次查阅您记录的情况。",
    "What is recorded": "记录哪些信息",
    "Record types in the catalog, by domain": "目录中的记录类型（按领域）",
    "Domain": "领域",
    "Negative record types": "失信记录类型",
    "Positive record types": "守信记录类型",
}


def main() -> None:
    path = Path(__file__).resolve().parent.parent / "locale/zh_Hans/LC_MESSAGES/django.po"
    po = polib.pofile(str(path))
    missing = []
    table = {
        **ZH,
        **ZH_MORE,
        **ZH_CITIZENS,
        **ZH_API,
        **ZH_PUBLIC,
        **ZH_ISSUERS,
        **ZH_CALENDAR,
        **ZH_LIFECYCLE,
        **ZH_ACCOUNTS,
        **ZH_OTP,
        **ZH_AUDITCHAIN,
        **ZH_FAULTS,
        **ZH_NOFIVEHUNDRED,
        **ZH_LOGINS,
        **ZH_LOWITEMS,
    }
    plurals = {**ZH_PLURALS, **ZH_PUBLIC_PLURALS, **ZH_CALENDAR_PLURALS, **ZH_OTP_PLURALS,
               **ZH_NOFIVEHUNDRED_PLURALS, **ZH_LOGINS_PLURALS}  # fmt: skip
    for entry in po:
        if entry.msgid_plural and entry.msgid in plurals:
            entry.msgstr_plural = {0: plurals[entry.msgid]}
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif entry.msgid in table:
            entry.msgstr = table[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif entry.msgid and (not entry.msgstr or "fuzzy" in entry.flags):
            missing.append(entry.msgid)
    po.metadata_is_fuzzy = False
    po.metadata["Language"] = "zh_Hans"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.save()
    po.save_as_mofile(str(path.with_suffix(".mo")))
    for msgid in missing:
        print("untranslated:", msgid)


if __name__ == "__main__":
    main()
