"""Simplified Chinese for issue 13 (low items): the admin's POST identifier lookup."""

ZH_LOWITEMS = {
    "Full ID numbers and credit codes are not searched through the address bar (they would "
    "stay in links, logs and browser history): use the form "
    "“Find by full ID number or credit code” above the list.": "完整的身份证号码和统一社会信用代码不能通过地址栏搜索（它们会留在链接、日志和浏览器历史中）："
    "请使用列表上方的“按完整身份证号码或信用代码查找”表单。",
    "Enter a full 18-character resident ID number or unified social credit code.": "请输入完整的18位居民身份证号码或统一社会信用代码。",
    "This lookup has expired: please enter the number again.": "本次查找已失效：请重新输入号码。",
    "Find by full ID number or credit code": "按完整身份证号码或信用代码查找",
    "Find": "查找",
}
