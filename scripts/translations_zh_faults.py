"""Simplified Chinese for the outage answers (issue 14): the 503 page and the API's 503
error. Imported by translations_zh.py."""

ZH_FAULTS = {
    "Temporarily unavailable": "暂时无法访问",
    "The portal cannot reach its database or cache at the moment. This usually passes within a minute.": "门户暂时无法连接其数据库或缓存，通常会在一分钟内恢复。",
    "Please try again in a moment. If you were sending a form, check afterwards whether it was received before sending it again.": "请稍后再试。如果您刚才正在提交表单，请先确认是否已提交成功，再决定是否重新提交。",
    "The service is temporarily unavailable. Please try again in a moment.": "服务暂时不可用，请稍后再试。",
}
