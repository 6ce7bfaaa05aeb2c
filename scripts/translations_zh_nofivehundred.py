"""Simplified Chinese for issue 14's bad-input work (nofivehundred): the 400 page, number
limits, visible-letter names, the city filter, and the paginated/summarised citizen pages.
Imported by translations_zh.py."""

ZH_NOFIVEHUNDRED = {
    "Bad request": "请求有误",
    "The portal could not read this request (for example, it carried far more parameters than any of its pages use).": "本门户无法读取此请求（例如，请求携带的参数远多于任何页面所用的数量）。",
    "Too many parameters in the request.": "请求中的参数过多。",
    "Enter a whole number from %(low)s to %(high)s.": "请输入%(low)s至%(high)s之间的整数。",
    "A name needs at least one visible letter (Chinese characters or letters).": "名称须至少包含一个可见的文字（汉字或字母）。",
    "The name is too long (%(max)d characters at most).": "名称过长（最多%(max)d个字符）。",
    "Unknown city code: enter the 4 digits of a prefecture-level city, e.g. 1101.": "未知的城市代码：请输入地级市的4位代码，例如1101。",
    "The end of the period comes before its beginning.": "时间段的结束日期早于开始日期。",
    "Records %(first)s–%(last)s of %(total)s, newest first.": "第%(first)s–%(last)s条，共%(total)s条，最新的在前。",
    "Pages of records": "记录分页",
    "Newer records": "较新的记录",
    "Older records": "较早的记录",
    "Generated %(at)s. It summarises what the portal holds about you and the enterprises you represent: how many records there are by domain and status, and each record now in effect. Every record is on your record pages.": "生成于%(at)s。本报告汇总本门户所存关于您及您所代表企业的信息：按领域和状态统计的记录数量，以及当前生效的每一条记录。全部记录见“我的信用记录”页面。",
    "Records in effect": "当前生效的记录",
    "No record is in effect now.": "目前没有生效的记录。",
}

ZH_NOFIVEHUNDRED_PLURALS = {
    "%(counter)s more record that counts": "另有%(counter)s条计分记录",
    "and %(counter)s more record": "及另外%(counter)s条记录",
    "%(counter)s record, by domain and status": "%(counter)s条记录（按领域和状态）",
    "%(shown)s of %(counter)s record in effect are listed, the newest first; the rest are on your record pages.": "列出%(counter)s条生效记录中的%(shown)s条，最新的在前；其余见“我的信用记录”页面。",
    "The newest %(shown)s of %(counter)s letter; all are under Notices.": "共%(counter)s份通知书，此处列出最新的%(shown)s份；全部见“通知书”。",
}
