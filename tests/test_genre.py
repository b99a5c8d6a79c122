"""Wording from reports of other levels, provinces and years (not the bundled five): the genre, not the seeds.

Each case is a sentence as such reports phrase it, with every core fact it states and nothing else
core-coded.  Extended and composite codes may also appear; they are not checked here.
"""

import pytest

from etl.extract.catalog import CORE_CODES
from etl.extract.facts import extract_facts
from etl.models import Section
from etl.read.normalize import normalize

CASES = [
    # national, annual (abstract as published, traditional script)
    (
        "制定法律5件，修改法律9件，通过有关法律问题和重大问题的决定4件，作出法律解释1件；檢查5件法律的實施情況，"
        "聽取審議23個監督工作報告，開展專題詢問，進行8項專題調研；辦理代表議案487件、建議9349件；依法任免國家機關工作人員393人次。",
        {
            ("legislation.laws_enacted", 5),
            ("legislation.laws_amended", 9),
            ("decisions.resolutions", 4),
            ("supervision.law_inspections", 5),
            ("supervision.work_reports", 23),
            ("supervision.research_studies", 8),
            ("deputies.motions", 487),
            ("deputies.suggestions", 9349),
            ("appointments.personnel", 393),
        },
    ),
    (
        "一年来，常委会制定5部法律，修改37部法律，检查6部法律实施情况，听取审议国务院、最高人民法院、最高人民检察院17个工作报告，"
        "开展3次专题询问和3项专题调研。",
        {
            ("legislation.laws_enacted", 5),
            ("legislation.laws_amended", 37),
            ("supervision.law_inspections", 6),
            ("supervision.work_reports", 17),
            ("supervision.special_inquiries", 3),
            ("supervision.research_studies", 3),
        },
    ),
    # provincial
    ("全年制定、修改、废止地方性法规27件，批准设区的市地方性法规和单行条例46件。", set()),
    (
        "听取审议专项工作报告22个，检查法律法规实施情况8项，开展专题询问2次，依法任免地方国家机关工作人员159人次。",
        {
            ("supervision.work_reports", 22),
            ("supervision.law_inspections", 8),
            ("supervision.special_inquiries", 2),
            ("appointments.personnel", 159),
        },
    ),
    (
        "省十四届人大一次会议以来，代表提出的936件建议已全部办复，其中所提问题已经解决或基本解决的占65.2%。",
        {("deputies.suggestions", 936)},
    ),
    ("受理群众来信来访1.2万件次，接待来访群众3100余人次。", {("petitions.letters_visits", 12000)}),
    # county / district, term review
    (
        "五年来，共召开常委会会议36次、主任会议75次，听取和审议“一府两院”专项工作报告152项，开展专项视察、执法检查、专题询问32次，"
        "依法任免国家机关工作人员447人次。",
        {
            ("meetings.standing_committee", 36),
            ("supervision.work_reports", 152),
            ("appointments.personnel", 447),
        },
    ),
    (
        "建成乡镇（街道）人大代表联络站18个，组织代表进站履职3200人次，接待选民群众1.5万人次，收集意见建议2100余条，推动解决问题860个。",
        {
            ("liaison.stations", 18),
            ("liaison.station_visits", 3200),
            ("liaison.constituents_received", 15000),
            ("liaison.opinions_collected", 2100),
            ("liaison.problems_resolved", 860),
        },
    ),
    (
        "大会期间代表提出议案3件、建议186件，闭会期间提出建议42件，已全部办结，代表满意和基本满意率达98.6%。",
        {("deputies.motions", 3), ("deputies.suggestions", 228), ("deputies.suggestion_satisfaction", 98.6)},
    ),
    (
        "全年审议通过决议决定15项，对12件规范性文件进行备案审查，开展立法调研5次。",
        {
            ("decisions.resolutions", 15),
            ("supervision.normative_docs_reviewed", 12),
            ("legislation.research", 5),
        },
    ),
    (
        "对县政府6个部门开展工作评议，组织开展专题视察9次、专项工作评议3项。",
        {("supervision.inspection_visits", 9), ("supervision.special_evaluations", 3)},
    ),
    (
        "一年来，共召开常委会会议 10 次，审议法规 3 部，听取和审议专项工作报告 26 个，"
        "开展 2 部法律法规执行情况检查，"
        "作出重大事项决议决定 6 个，任免国家机关工作人员 59 人次。",
        {
            ("meetings.standing_committee", 10),
            ("supervision.work_reports", 26),
            ("supervision.law_inspections", 2),
            ("decisions.resolutions", 6),
            ("appointments.personnel", 59),
        },
    ),
    (
        "全年共召开市人大常委会会议7次，审议法规案14件，通过13件；听取审议“一府一委两院”专项工作报告25项，开展计划预算审查监督20项、"
        "执法检查2项、专题询问3次、专题调研11项、专项视察15项、立法后评估2项；作出重大事项决定3项；办理代表议案4件，督办代表建议1060件。",
        {
            ("meetings.standing_committee", 7),
            ("supervision.work_reports", 25),
            ("supervision.law_inspections", 2),
            ("supervision.special_inquiries", 3),
            ("supervision.research_studies", 11),
            ("supervision.inspection_visits", 15),
            ("decisions.resolutions", 3),
            ("deputies.motions", 4),
            ("deputies.suggestions", 1060),
        },
    ),
    (
        "全年共制定、修改和廢止地方性法規13件；聽取審議36個專項工作報告，開展5次執法檢查、5次視察、1次專題詢問、2次工作評議；"
        "作出16項決議決定，依法任免國家機關工作人員109人次。",
        {
            ("supervision.work_reports", 36),
            ("supervision.law_inspections", 5),
            ("supervision.special_inquiries", 1),
            ("supervision.special_evaluations", 2),
            ("decisions.resolutions", 16),
            ("appointments.personnel", 109),
        },
    ),
    (
        "一年来，召开常委会会议10次，主任会议12次，制定颁布地方性法规3部，审查规范性文件32件；听取和审议“一府两院”工作报告26个，"
        "组织执法检查7次、代表视察10次；作出决议决定11个，任免国家机关工作人员99人次。",
        {
            ("meetings.standing_committee", 10),
            ("legislation.laws_enacted", 3),
            ("supervision.normative_docs_reviewed", 32),
            ("supervision.work_reports", 26),
            ("supervision.law_inspections", 7),
            ("decisions.resolutions", 11),
            ("appointments.personnel", 99),
        },
    ),
    ("严格执行“第一议题”制度，召开常委会党组会议44次，组织代表学习培训245人次。", set()),
    (
        "共辦理代表議案2541件，227件議案涉及的38個立法項目已經審議通過，136件議案涉及的8個立法項目正在審議。",
        {("deputies.motions", 2541)},
    ),
    (
        "辦理代表建議37527件，建議所提問題已經解決或計劃解決的占總數的76%，代表對建議辦理工作表示滿意或基本滿意的超過90%。",
        {("deputies.suggestions", 37527), ("deputies.suggestion_satisfaction", 90)},
    ),
    (
        "邀请代表1000多人次列席常委会会议，3800多人次参加执法检查和专门委员会活动，组织代表9000多人次开展专题调研。",
        set(),
    ),
    (
        "立法工作方面：制定法律6件，修改法律8件，通过有关法律问题和重大问题的决定11件。",
        {("legislation.laws_enacted", 6), ("legislation.laws_amended", 8), ("decisions.resolutions", 11)},
    ),
    (
        "监督工作方面：听取审议“一府两院”22个专项工作报告，开展5项执法检查、2项专题询问、7项专题调研。",
        {
            ("supervision.work_reports", 22),
            ("supervision.law_inspections", 5),
            ("supervision.special_inquiries", 2),
            ("supervision.research_studies", 7),
        },
    ),
    (
        "十四届全国人大一次会议期间，代表们共提出建议8314件，目前已经全部办理完毕并答复代表。",
        {("deputies.suggestions", 8314)},
    ),
    # city / county wording: titles listed before the count, 活动 after the activity, counts in Chinese
    # numerals
    (
        "全年制定《郑州市养犬管理条例》《郑州市城市道路交通安全管理条例》等地方性法规3部，对10件地方性法规进行了修改，"
        "废止《郑州市城市节约用水管理条例》等2部地方性法规。",
        {
            ("legislation.laws_enacted", 3),
            ("legislation.laws_amended", 10),
            ("legislation.laws_repealed", 2),
        },
    ),
    ("过去一年，审议通过条例4部，“小快灵”立法取得新成效。", {("legislation.laws_enacted", 4)}),
    ("审议通过《鹤壁市淇河保护条例》《鹤壁市物业管理条例》等2部法规。", {("legislation.laws_enacted", 2)}),
    (
        "组织开展《中华人民共和国食品安全法》等5部法律法规执法检查，围绕重点项目建设开展专题视察活动16次、专题调研活动12次。",
        {
            ("supervision.law_inspections", 5),
            ("supervision.inspection_visits", 16),
            ("supervision.research_studies", 12),
        },
    ),
    (
        "对《中华人民共和国大气污染防治法》《河南省大气污染防治条例》等四部法律法规的贯彻实施情况开展执法检查。",
        {("supervision.law_inspections", 4)},
    ),
    (
        "对生态环境保护等3项工作开展专项评议，讨论决定重大事项11项，推动重大事项决定工作规范化。",
        {("supervision.special_evaluations", 3), ("decisions.resolutions", 11)},
    ),
    ("对37件报备的规范性文件进行审查，纠正2件。", {("supervision.normative_docs_reviewed", 37)}),
    ("2016年，接收报备规范性文件43件，均进行了主动审查。", {("supervision.normative_docs_reviewed", 43)}),
    (
        "审查县政府及有关部门报送备案的规范性文件21件，提出审查意见3条。",
        {("supervision.normative_docs_reviewed", 21)},
    ),
    (
        "交办代表建议226件，常委会主任会议成员牵头督办重点建议。其中，解决和基本解决137件。",
        {("deputies.suggestions", 226), ("deputies.suggestions_resolved", 137)},
    ),
    (
        "听取和审议县政府专项工作报告18个，开展专题调研五项、执法检查二次、专题询问二次。",
        {
            ("supervision.work_reports", 18),
            ("supervision.research_studies", 5),
            ("supervision.law_inspections", 2),
            ("supervision.special_inquiries", 2),
        },
    ),
    ("制定地方性法规二部、修改3件次。", {("legislation.laws_enacted", 2), ("legislation.laws_amended", 3)}),
    (
        "开展专项评议四次、专题询问一次。",
        {("supervision.special_evaluations", 4), ("supervision.special_inquiries", 1)},
    ),
    # traps
    ("开展执法检查二次、视察调研、专题询问3次。", {("supervision.law_inspections", 2)}),
    (
        "代表联络站收集群众意见建议860条，转交相关部门办理。其中，解决和基本解决520件。",
        {("liaison.opinions_collected", 860)},
    ),
    ("对8件地方性法规进行打包修改，组织代表参加专题视察活动320人次、专题调研活动260人次。", set()),
    (
        "常委会拟对《中华人民共和国教育法》等3部法律法规开展执法检查，年内制定《城市更新条例》等2部地方性法规。",
        set(),
    ),
    ("审议通过《郑州市城市绿化条例（修订草案）》等2部法规，审议法规案6件。", set()),
    ("完善重大事项决定制度，厘清讨论决定重大事项的范围和程序，清理规范性文件120件。", set()),
    ("召开立法座谈会、论证会26次，征求意见1200余条，谋划立法调研项目18件。", set()),
    ("推动“十四五”规划实施，深化“放管服”改革，落实“三个一批”项目，举办第五届论坛。", set()),
    ("邀请196名代表列席常委会会议，组织代表参加执法检查1447人次。", set()),
    ("代表建议解决率比上年提高15个百分点，满意率同比上升3%。", set()),
    ("其中重点督办建议20件，全部按期办结。", set()),
    ("2024年，常委会将开展执法检查5次、专题询问2次。", set()),
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0][:18] for c in CASES])
def test_genre_sentence(text, expected):
    n = normalize(text)
    facts = extract_facts(n, [Section("past_work", 0, len(n.text), None, 2023, 2023)], "annual_report")
    got = {(f.metric, f.value) for f in facts if f.metric in CORE_CODES}
    assert got == expected
