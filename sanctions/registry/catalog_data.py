"""The seeded catalogs: authorities, measures and record types.

`seed_catalog` is idempotent (update-or-create by code) and takes the model classes so the
data migration can pass its historical models. Every record type cites its legal basis.
No measure reaches anyone but the subject: the restriction on a debtor's children's school
fees found in some schemes is deliberately absent.
"""

from __future__ import annotations

# code, name, name_en, kind, level, region, parent code
AUTHORITIES = [
    ("spc", "最高人民法院", "Supreme People's Court", "court", "national", "110000", None),
    ("bj-high-court", "北京市高级人民法院", "Beijing High People's Court", "court",
     "provincial", "110000", "spc"),
    ("bj-2nd-intermediate-court", "北京市第二中级人民法院",
     "Beijing No. 2 Intermediate People's Court", "court", "municipal", "110100",
     "bj-high-court"),
    ("bj-dongcheng-court", "北京市东城区人民法院", "Beijing Dongcheng District People's Court",
     "court", "county", "110101", "bj-2nd-intermediate-court"),
    ("bj-xicheng-court", "北京市西城区人民法院", "Beijing Xicheng District People's Court",
     "court", "county", "110102", "bj-2nd-intermediate-court"),
    ("sat", "国家税务总局", "State Taxation Administration", "tax", "national", "110000", None),
    ("bj-tax", "国家税务总局北京市税务局", "Beijing Municipal Tax Service, STA", "tax",
     "provincial", "110000", "sat"),
    ("bj-dongcheng-tax", "国家税务总局北京市东城区税务局", "Dongcheng District Tax Bureau, STA",
     "tax", "county", "110101", "bj-tax"),
    ("samr", "国家市场监督管理总局", "State Administration for Market Regulation", "market",
     "national", "110000", None),
    ("bj-amr", "北京市市场监督管理局", "Beijing Municipal Administration for Market Regulation",
     "market", "provincial", "110000", "samr"),
    ("bj-dongcheng-amr", "北京市东城区市场监督管理局", "Dongcheng District Market Regulation Bureau",
     "market", "county", "110101", "bj-amr"),
    ("bj-eco-env", "北京市生态环境局", "Beijing Municipal Ecology and Environment Bureau",
     "environment", "provincial", "110000", None),
    ("bj-transport", "北京市交通委员会", "Beijing Municipal Commission of Transport",
     "transport", "provincial", "110000", None),
    ("bj-traffic-police", "北京市公安局公安交通管理局", "Beijing Traffic Management Bureau",
     "transport", "provincial", "110000", None),
    ("moe", "中华人民共和国教育部", "Ministry of Education", "education", "national", "110000",
     None),
    ("bj-education", "北京市教育委员会", "Beijing Municipal Education Commission", "education",
     "provincial", "110000", "moe"),
    ("bj-emergency", "北京市应急管理局", "Beijing Municipal Emergency Management Bureau",
     "emergency", "provincial", "110000", None),
    ("bj-civil-affairs", "北京市民政局", "Beijing Municipal Civil Affairs Bureau",
     "civil_affairs", "provincial", "110000", None),
    ("bj-health-commission", "北京市卫生健康委员会", "Beijing Municipal Health Commission",
     "health_commission", "provincial", "110000", None),
    ("bj-government", "北京市人民政府", "Beijing Municipal People's Government", "government",
     "provincial", "110000", None),
]  # fmt: skip

JUDGMENT_DEBTOR_RULES = "《最高人民法院关于公布失信被执行人名单信息的若干规定》（法释〔2017〕7号）"
HIGH_CONSUMPTION_RULES = (
    "《最高人民法院关于限制被执行人高消费及有关消费的若干规定》（法释〔2015〕17号）"
)

# code, title, title_en, kind, enforcing agency, enforcing agency (English), legal basis
MEASURES = [
    ("no-air-travel", "限制乘坐飞机", "No air travel", "restriction",
     "中国民用航空局及各航空公司", "Civil Aviation Administration of China and the airlines",
     HIGH_CONSUMPTION_RULES + "第三条第一款第（一）项"),
    ("no-hsr-first-class", "限制乘坐G字头动车组列车全部座位及其他动车组列车一等以上座位",
     "No high-speed rail (G trains) or first-class train seats", "restriction",
     "中国国家铁路集团有限公司", "China State Railway Group",
     HIGH_CONSUMPTION_RULES + "第三条第一款第（一）项"),
    ("no-star-hotels", "限制在星级以上宾馆、酒店、夜总会、高尔夫球场等场所进行高消费",
     "No spending at star-rated hotels, night clubs or golf courses", "restriction",
     "文化和旅游主管部门", "Culture and tourism authorities",
     HIGH_CONSUMPTION_RULES + "第三条第一款第（二）项"),
    ("no-property-purchase", "限制购买不动产或者新建、扩建、高档装修房屋",
     "No purchase of real estate or luxury building works", "restriction",
     "不动产登记机构", "Real estate registration offices",
     HIGH_CONSUMPTION_RULES + "第三条第一款第（三）项"),
    ("no-procurement", "限制参与政府采购活动", "Excluded from public procurement", "restriction",
     "财政部门", "Finance departments", "《中华人民共和国政府采购法》第二十二条、第七十七条"),
    ("no-bidding", "限制参与工程建设项目招标投标", "Excluded from tenders for public works",
     "restriction", "发展改革部门", "Development and reform departments",
     "《中华人民共和国招标投标法实施条例》"),
    ("no-executive-role", "限制担任企业法定代表人、董事、监事、高级管理人员",
     "May not serve as legal representative, director or senior manager", "restriction",
     "市场监督管理部门", "Market regulation authorities", JUDGMENT_DEBTOR_RULES + "第八条"),
    ("no-subsidies", "限制申请财政补助资金和社会保障资金支持",
     "No public subsidies", "restriction", "财政部门", "Finance departments",
     "《国务院关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见》（国发〔2016〕33号）"),
    ("invoice-restriction", "限制发票领用", "Restricted issue of VAT invoices", "restriction",
     "税务机关", "Tax authorities",
     "《重大税收违法失信主体信息公布管理办法》（国家税务总局令第54号）第十四条"),
    ("fast-track-approval", "行政审批“绿色通道”", "Fast-track administrative approvals",
     "incentive", "政务服务管理部门", "Government service administrations",
     "《国务院关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见》（国发〔2016〕33号）"),
    ("reduced-inspections", "减少日常监督检查频次", "Fewer routine inspections", "incentive",
     "市场监督管理部门", "Market regulation authorities", "《优化营商环境条例》第五十三条"),
    ("deposit-waiver", "公共服务信用免押金", "Deposit waived for public services", "incentive",
     "公共服务提供单位", "Public service providers",
     "《国务院办公厅关于进一步完善失信约束制度构建诚信建设长效机制的指导意见》（国办发〔2020〕49号）"),
]  # fmt: skip

PERSON = ["person"]
ENTERPRISE = ["enterprise"]
BOTH = ["person", "enterprise"]
HIGH_CONSUMPTION = ["no-air-travel", "no-hsr-first-class", "no-star-hotels",
                    "no-property-purchase"]  # fmt: skip

# code, title, title_en, domain, polarity, severity, points, kinds, blacklist, admin_penalty,
# pub_min, pub_max, effective_days, legal basis, measures
RECORD_TYPES = [
    # --- judicial ---
    ("judicial-dishonest-debtor", "失信被执行人", "Dishonest judgment debtor", "judicial",
     "negative", "serious", -100, BOTH, True, False, None, None, 730,
     JUDGMENT_DEBTOR_RULES + "第一条；《中华人民共和国民事诉讼法》",
     HIGH_CONSUMPTION + ["no-procurement", "no-bidding", "no-executive-role", "no-subsidies"]),
    ("judicial-consumption-order-breach", "违反限制消费令", "Breach of a consumption-restriction order",
     "judicial", "negative", "serious", -80, BOTH, True, False, None, None, 730,
     JUDGMENT_DEBTOR_RULES + "第一条第（五）项", HIGH_CONSUMPTION),
    ("judicial-contempt-enforcement", "拒不执行判决、裁定被司法处罚",
     "Fined or detained for contempt of an enforcement order", "judicial", "negative", "serious",
     -60, BOTH, False, False, 365, 1095, 730,
     "《中华人民共和国民事诉讼法》第一百一十四条", []),
    ("judicial-false-litigation", "虚假诉讼被司法处罚", "Sanctioned for sham litigation",
     "judicial", "negative", "serious", -60, BOTH, False, False, 365, 1095, 730,
     "《中华人民共和国民事诉讼法》第一百一十五条", []),
    ("judicial-performed-voluntarily", "主动履行生效裁判", "Performed a judgment voluntarily",
     "judicial", "positive", "general", 5, BOTH, False, False, None, None, 365,
     "《最高人民法院关于在执行工作中进一步强化善意文明执行理念的意见》（法发〔2019〕35号）", []),
    # --- commercial ---
    ("commercial-major-tax-violation", "重大税收违法失信主体", "Major tax violation",
     "commercial", "negative", "serious", -80, BOTH, False, True, 365, 1095, 1095,
     "《重大税收违法失信主体信息公布管理办法》（国家税务总局令第54号）第六条",
     ["invoice-restriction", "no-procurement", "no-subsidies"]),
    ("commercial-tax-arrears", "欠缴税款", "Tax arrears decided by the tax authority",
     "commercial", "negative", "general", -30, BOTH, False, True, 91, 365, 365,
     "《中华人民共和国税收征收管理法》第三十二条、第四十条", []),
    ("commercial-late-tax-filing", "逾期未申报纳税（情节轻微）", "Late tax filing (minor)",
     "commercial", "negative", "minor", -5, BOTH, False, True, None, None, 180,
     "《中华人民共和国税收征收管理法》第六十二条", []),
    ("commercial-contract-fraud", "合同欺诈被行政处罚", "Contract fraud penalty", "commercial",
     "negative", "serious", -60, ENTERPRISE, False, True, 365, 1095, 730,
     "《合同行政监督管理办法》（国家市场监督管理总局令第77号）", ["no-procurement"]),
    ("commercial-food-safety", "食品安全违法行政处罚", "Food-safety penalty", "commercial",
     "negative", "serious", -60, ENTERPRISE, False, True, 365, 1095, 730,
     "《中华人民共和国食品安全法》第一百二十二条至第一百二十六条", ["no-procurement"]),
    ("commercial-product-quality", "产品质量违法行政处罚", "Product-quality penalty",
     "commercial", "negative", "general", -30, ENTERPRISE, False, True, 91, 365, 365,
     "《中华人民共和国产品质量法》第四十九条至第五十条", []),
    ("commercial-abnormal-operation", "列入经营异常名录", "Listed for abnormal operation",
     "commercial", "negative", "general", -20, ENTERPRISE, False, False, 91, 365, 365,
     "《企业信息公示暂行条例》第十七条；《企业经营异常名录管理暂行办法》", []),
    ("commercial-serious-illegal-list", "列入市场监督管理严重违法失信名单",
     "Serious illegal and dishonest list (market regulation)", "commercial", "negative",
     "serious", -80, ENTERPRISE, False, False, 365, 1095, 1095,
     "《市场监督管理严重违法失信名单管理办法》（国家市场监督管理总局令第44号）",
     ["no-procurement", "no-bidding", "no-subsidies"]),
    ("commercial-false-advertising", "虚假广告行政处罚", "False-advertising penalty",
     "commercial", "negative", "general", -20, ENTERPRISE, False, True, 91, 365, 365,
     "《中华人民共和国广告法》第五十五条", []),
    ("commercial-a-grade-taxpayer", "纳税信用A级", "Taxpayer credit grade A", "commercial",
     "positive", "general", 20, ENTERPRISE, False, False, None, None, 365,
     "《纳税信用管理办法》", ["fast-track-approval", "reduced-inspections"]),
    ("commercial-contract-honouring", "“守合同重信用”企业公示", "Contract-honouring enterprise",
     "commercial", "positive", "general", 15, ENTERPRISE, False, False, None, None, 730,
     "《合同行政监督管理办法》（国家市场监督管理总局令第77号）", ["reduced-inspections"]),
    # --- societal ---
    ("societal-environmental-penalty", "环境违法行政处罚", "Environmental penalty", "societal",
     "negative", "general", -30, BOTH, False, True, 91, 365, 365,
     "《中华人民共和国环境保护法》第五十九条至第六十三条", []),
    ("societal-serious-pollution", "严重环境违法（按日连续处罚）",
     "Serious pollution (daily continuing penalty)", "societal", "negative", "serious", -80,
     ENTERPRISE, False, True, 365, 1095, 730,
     "《中华人民共和国环境保护法》第五十九条；《中华人民共和国大气污染防治法》第一百二十三条",
     ["no-procurement", "no-subsidies"]),
    ("societal-drunk-driving", "醉酒驾驶机动车被依法处理", "Drunk driving (decided)",
     "societal", "negative", "serious", -50, PERSON, False, True, 365, 1095, 730,
     "《中华人民共和国道路交通安全法》第九十一条", []),
    ("societal-traffic-penalty", "道路交通安全违法行政处罚", "Traffic penalty", "societal",
     "negative", "minor", -5, PERSON, False, True, None, None, 365,
     "《中华人民共和国道路交通安全法》第八十七条至第九十条", []),
    ("societal-transport-operator-violation", "道路运输经营严重违法",
     "Serious violation by a road-transport operator", "societal", "negative", "general", -30,
     ENTERPRISE, False, True, 91, 365, 365, "《中华人民共和国道路运输条例》第六十三条至第七十条", []),
    ("societal-work-safety", "安全生产违法行政处罚", "Work-safety penalty", "societal",
     "negative", "general", -30, ENTERPRISE, False, True, 91, 365, 365,
     "《中华人民共和国安全生产法》第九十七条至第一百一十七条", []),
    ("societal-work-safety-serious", "安全生产严重失信主体", "Serious work-safety violator",
     "societal", "negative", "serious", -80, ENTERPRISE, False, False, 365, 1095, 1095,
     "《安全生产严重失信主体名单管理办法》（应急管理部令第11号）",
     ["no-procurement", "no-subsidies"]),
    ("societal-academic-fraud", "学术不端行为处理决定", "Academic fraud finding", "societal",
     "negative", "serious", -50, PERSON, False, False, 365, 1095, 1095,
     "《高等学校预防与处理学术不端行为办法》（教育部令第40号）第二十七条", []),
    ("societal-exam-cheating", "国家教育考试作弊处理决定", "Cheating in a national examination",
     "societal", "negative", "general", -30, PERSON, False, False, 91, 365, 365,
     "《国家教育考试违规处理办法》（教育部令第33号）", []),
    ("societal-commendation", "县级以上人民政府表彰", "Commendation by a people's government",
     "societal", "positive", "general", 30, BOTH, False, False, None, None, 730,
     "《国家功勋荣誉表彰条例》", ["fast-track-approval"]),
    ("societal-volunteer-service", "志愿服务时长认证（100小时以上）",
     "Certified volunteer service (100 hours or more)", "societal", "positive", "general", 10,
     PERSON, False, False, None, None, 365, "《志愿服务条例》第二十一条", ["deposit-waiver"]),
    ("societal-blood-donation", "无偿献血证书", "Voluntary blood donation certificate",
     "societal", "positive", "general", 10, PERSON, False, False, None, None, 365,
     "《中华人民共和国献血法》", ["deposit-waiver"]),
    # --- government affairs (public bodies hold credit codes; officials are persons) ---
    ("government-contract-breach", "政府机构违约被生效裁判认定",
     "Breach of contract by a public body (court-confirmed)", "government", "negative",
     "serious", -80, ENTERPRISE, False, False, 365, 1095, 730,
     "《优化营商环境条例》第三十一条", []),
    ("government-sme-payment-arrears", "拖欠中小企业账款", "Arrears owed to small enterprises",
     "government", "negative", "general", -40, ENTERPRISE, False, False, 91, 365, 365,
     "《保障中小企业款项支付条例》第八条、第十五条", []),
    ("government-broken-commitment", "未履行依法作出的政策承诺",
     "Failure to honour a lawful policy commitment", "government", "negative", "general", -40,
     ENTERPRISE, False, False, 91, 365, 365, "《优化营商环境条例》第三十一条", []),
    ("government-official-dishonest-debtor", "公职人员被列为失信被执行人",
     "Public official listed as dishonest judgment debtor", "government", "negative",
     "serious", -50, PERSON, False, False, 365, 1095, 730,
     JUDGMENT_DEBTOR_RULES + "第八条第三款", []),
]  # fmt: skip

# Which kinds of authority may issue each record type (sanctions.models.AuthorityKind).
# The demo's `_authority_for` (scs_portal seed_demo) picks an authority of one of these kinds.
COURT, TAX, MARKET = ["court"], ["tax"], ["market"]
ISSUER_KINDS = {
    "judicial-dishonest-debtor": COURT,
    "judicial-consumption-order-breach": COURT,
    "judicial-contempt-enforcement": COURT,
    "judicial-false-litigation": COURT,
    "judicial-performed-voluntarily": COURT,
    "commercial-major-tax-violation": TAX,
    "commercial-tax-arrears": TAX,
    "commercial-late-tax-filing": TAX,
    "commercial-a-grade-taxpayer": TAX,
    "commercial-contract-fraud": MARKET,
    "commercial-food-safety": MARKET,
    "commercial-product-quality": MARKET,
    "commercial-abnormal-operation": MARKET,
    "commercial-serious-illegal-list": MARKET,
    "commercial-false-advertising": MARKET,
    "commercial-contract-honouring": MARKET,
    "societal-environmental-penalty": ["environment"],
    "societal-serious-pollution": ["environment"],
    "societal-drunk-driving": ["transport"],  # the traffic police's traffic management bureau
    "societal-traffic-penalty": ["transport"],
    "societal-transport-operator-violation": ["transport"],
    "societal-work-safety": ["emergency"],
    "societal-work-safety-serious": ["emergency"],
    "societal-academic-fraud": ["education"],
    "societal-exam-cheating": ["education"],
    "societal-commendation": ["government"],
    "societal-volunteer-service": ["civil_affairs"],
    "societal-blood-donation": ["health_commission"],
    "government-contract-breach": COURT,  # court-confirmed
    "government-sme-payment-arrears": ["government"],
    "government-broken-commitment": ["government"],
    "government-official-dishonest-debtor": ["government"],
}

ATTESTATION = (
    "Seeded catalog entry: rests on a decision under the cited legal basis and on none of the "
    "prohibited grounds (opinion, speech, belief, ethnicity, health, sexual life, union "
    "membership, relatives' conduct)."
)


def seed_catalog(Authority, Measure, RecordType) -> dict[str, int]:  # noqa: N803
    """Insert or update the seeded catalogs by code. Safe to run any number of times."""
    for code, name, name_en, kind, level, region, parent in AUTHORITIES:
        Authority.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "kind": kind,
                "level": level,
                "region_code": region,
                "parent": Authority.objects.get(code=parent) if parent else None,
            },
        )
    # the data migration 0002 passes historical models from before these fields existed
    has_agency_en = any(f.name == "enforcing_agency_en" for f in Measure._meta.get_fields())
    for code, title, title_en, kind, agency, agency_en, basis in MEASURES:
        Measure.objects.update_or_create(
            code=code,
            defaults={
                "title": title,
                "title_en": title_en,
                "kind": kind,
                "enforcing_agency": agency,
                "legal_basis": basis,
            }
            | ({"enforcing_agency_en": agency_en} if has_agency_en else {}),
        )
    has_issuer_kinds = any(f.name == "issuer_kinds" for f in RecordType._meta.get_fields())
    for row in RECORD_TYPES:
        (code, title, title_en, domain, polarity, severity, points, kinds, blacklist,
         admin_penalty, pub_min, pub_max, effective_days, basis, measure_codes) = row  # fmt: skip
        record_type, _created = RecordType.objects.update_or_create(
            code=code,
            defaults={
                "title": title,
                "title_en": title_en,
                "domain": domain,
                "polarity": polarity,
                "severity": severity,
                "points": points,
                "subject_kinds": kinds,
                "places_on_blacklist": blacklist,
                "is_administrative_penalty": admin_penalty,
                "publication_min_days": pub_min,
                "publication_max_days": pub_max,
                "effective_days": effective_days,
                "legal_basis": basis,
                "attestation": ATTESTATION,
            }
            | ({"issuer_kinds": ISSUER_KINDS[code]} if has_issuer_kinds else {}),
        )
        record_type.measures.set(Measure.objects.filter(code__in=measure_codes))
    return {
        "authorities": len(AUTHORITIES),
        "measures": len(MEASURES),
        "record_types": len(RECORD_TYPES),
    }


def fill_catalog_english(Authority, Measure, RecordType) -> int:  # noqa: N803
    """Give the seeded catalog entries their English names where the English is still empty
    (an English name an official has changed stays). Safe to run any number of times;
    returns how many rows changed. Takes the model classes like `seed_catalog`."""
    changed = 0
    for model, field, rows in (
        (Authority, "name_en", [(row[0], row[2]) for row in AUTHORITIES]),
        (Measure, "title_en", [(row[0], row[2]) for row in MEASURES]),
        (Measure, "enforcing_agency_en", [(row[0], row[5]) for row in MEASURES]),
        (RecordType, "title_en", [(row[0], row[2]) for row in RECORD_TYPES]),
    ):
        for code, english in rows:
            changed += model.objects.filter(code=code, **{field: ""}).update(**{field: english})
    return changed
