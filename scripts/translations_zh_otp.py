"""Simplified Chinese for officials' second factor (issue 13: TOTP, backup codes, reset).
Imported by translations_zh.py."""

ZH_OTP = {
    "Too many wrong codes. Wait %(seconds)d seconds, then try again.": "错误的验证码过多。请等待%(seconds)d秒后再试。",
    "That code is not valid. Type the current code from your app, or a backup code.": "验证码无效。请输入验证器应用当前显示的验证码，或一个备用码。",
    "This account already has a second factor. If it is lost, ask a supervisor of your authority or the operator to reset it.": "该账户已设置第二重验证。如已丢失，请联系本机关主管或系统运维人员重置。",
    "Only the official themself enrols their second factor.": "第二重验证只能由工作人员本人设置。",
    "There is no enrolment waiting for this account. Start again from the login.": "该账户没有待完成的设置。请从登录页重新开始。",
    "Nobody resets their own second factor: ask a supervisor of your authority or the operator.": "任何人都不能重置自己的第二重验证：请联系本机关主管或系统运维人员。",
    "Only the operator or a supervisor of the official's authority may reset the second factor of %(user)s.": "只有系统运维人员或该工作人员所在机关的主管可以重置%(user)s的第二重验证。",
    "%(user)s has no second factor to reset.": "%(user)s没有可重置的第二重验证。",
    "Verification code": "验证码",
    "To set up your second factor, log in with your password again.": "设置第二重验证前，请重新输入密码登录。",
    "Second step: verification code": "第二步：输入验证码",
    "Your backup codes": "您的备用码",
    "Set up your second factor": "设置第二重验证",
    "QR code of the key for your authenticator app": "供验证器应用扫描的密钥二维码",
    "Reset second factor (lost phone)": "重置第二重验证（手机丢失）",
    "Second factor reset for %(users)s: they set up a new one at their next login.": "已重置%(users)s的第二重验证：下次登录时需重新设置。",
    "second factor set up": "已设置第二重验证",
    "Logged in with the password of <strong>%(username)s</strong>.": "已使用<strong>%(username)s</strong>的密码登录。",
    "Your password was accepted. Now type the code your authenticator app shows for this portal.": "密码正确。现在请输入验证器应用为本门户显示的验证码。",
    "Six digits from the app, or one of your backup codes (each works once).": "应用显示的6位数字，或您的一个备用码（每个备用码只能使用一次）。",
    "Verify": "验证",
    "Lost your phone and your backup codes? A supervisor of your authority or the operator resets your second factor; then you set up a new one here.": "手机和备用码都丢失了？请本机关主管或系统运维人员重置您的第二重验证，之后在此重新设置。",
    "Staff pages need a second factor: a code from an authenticator app on your phone (any app that supports TOTP). Set it up once:": "工作人员页面需要第二重验证：手机上验证器应用（任何支持TOTP的应用均可）生成的验证码。只需设置一次：",
    "In the app, add an account by scanning this QR code:": "在应用中扫描此二维码，添加账户：",
    "Or type the key by hand (time-based, 6 digits, every 30 seconds):": "或手动输入密钥（基于时间，6位数字，每30秒更新）：",
    "Account in the app": "应用中的账户名",
    "Key": "密钥",
    "Setup link": "设置链接",
    "Type the code the app now shows, to confirm it works.": "输入应用当前显示的验证码，确认设置成功。",
    "Six digits, as the app shows them now.": "应用当前显示的6位数字。",
    "Confirm": "确认",
    "Keep this key to yourself: whoever holds it can make your codes. Nobody from the portal will ever ask you for it.": "请勿泄露此密钥：持有密钥者即可生成您的验证码。门户的任何人都不会向您索要密钥。",
    "Your second factor is set up.": "第二重验证已设置完成。",
    "Backup codes": "备用码",
    "Continue to the workspace": "进入工作台",
}

ZH_OTP_PLURALS = {
    "Here is your backup code, for when your phone is not at hand. It works once. Write it down or print it now and keep it somewhere safe: it is not shown again.": "以下是您的%(counter)s个备用码，供手机不在身边时使用。每个备用码只能使用一次。请立即抄写或打印，妥善保管：备用码不会再次显示。",
}
