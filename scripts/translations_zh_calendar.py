"""Simplified Chinese for the holiday calendar (its warning, provisional deadlines, the import
command) and the officials' deadline reminders (merged by translations_zh.py)."""

ZH_CALENDAR = {
    # sanctions/workdays.py: the system check's and the dashboard's warning, provisional dates
    "No holiday calendar is stored: working-day deadlines count public holidays as working days. Import it with “manage.py import_holidays”.": "尚未存储节假日安排：按工作日计算的期限会把法定节假日算作工作日。请用“manage.py import_holidays”导入。",
    "The holiday calendar ends on %(date)s, less than %(days)s days from today: deadlines after that day are provisional. Import %(year)s with “manage.py import_holidays --year %(year)s” (or from a CSV file) once the State Council has published it.": "节假日安排止于%(date)s，距今不足%(days)s天：此后的期限均为暂定。国务院公布%(year)s年安排后，请用“manage.py import_holidays --year %(year)s”（或从CSV文件）导入。",
    "(provisional: no holiday calendar is stored)": "（暂定：尚未存储节假日安排）",
    "(provisional: the holiday calendar ends on %(date)s)": "（暂定：节假日安排止于%(date)s）",
    # sanctions/services/holidays.py: the import command's refusals
    "The installed chinesecalendar package does not know the holidays of %(year)s (it knows %(first)s–%(last)s). Upgrade it once the State Council has published that year's notice, or import the notice from a CSV file.": "已安装的 chinesecalendar 软件包没有%(year)s年的节假日安排（仅有%(first)s–%(last)s年）。请在国务院公布该年通知后升级该软件包，或从CSV文件导入该通知。",
    "The first line must be the header “date,is_working_day,name”.": "第一行必须是表头“date,is_working_day,name”。",
    "line %(line)s: “%(value)s” is not a date like 2027-01-01.": "第%(line)s行：“%(value)s”不是形如2027-01-01的日期。",
    "line %(line)s: is_working_day must be 1 or 0, not “%(value)s”.": "第%(line)s行：is_working_day 应为1或0，而不是“%(value)s”。",
    "line %(line)s: %(date)s is not in %(year)s.": "第%(line)s行：%(date)s不在%(year)s年内。",
    "line %(line)s: %(date)s is listed twice.": "第%(line)s行：%(date)s重复列出。",
    "line %(line)s: the name is too long.": "第%(line)s行：名称过长。",
    "The file lists no days.": "文件中没有列出任何日期。",
    # sanctions/models/reminders.py
    "deadline reminder": "期限提醒",
    "deadline reminders": "期限提醒",
    "due on": "到期日",
    "sent on": "发送日期",
    "Case #%(id)s “%(title)s”": "案件 #%(id)s“%(title)s”",
    "Objection #%(id)s to decision %(number)s": "对决定 %(number)s 的异议 #%(id)s",
    "Credit repair application #%(id)s for decision %(number)s": "关于决定 %(number)s 的信用修复申请 #%(id)s",
    # sanctions/services/reminders.py: the e-mail
    "These fall due within %(days)s working days:": "以下事项将在%(days)s个工作日内到期：",
    "%(item)s: due on %(date)s": "%(item)s：%(date)s到期",
    "They are also listed on your dashboard in the officials' workspace.": "这些事项也列在工作人员工作台的首页上。",
    # templates/admin/portal_index.html
    "Deadline reminders sent to you (still open)": "发给您的期限提醒（尚未办结）",
    "What": "事项",
}

ZH_CALENDAR_PLURALS = {
    "SCS Portal: %(count)s deadline within %(days)s working days": "信用门户：%(count)s项事项将在%(days)s个工作日内到期",
}
