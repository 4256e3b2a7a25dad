"""Write the sample 责任分工表 of ``make demo`` (src/fazhi/examples/supervision/yunxi_2025_tasks.xlsx).

The county is real (湖北省十堰市郧西县), the tasks and their assignment are invented for fazhi's
demonstration: they are no office's actual plan.  The sheet is messy the way offices' sheets are: a title
row and a date line above the header, 一级/二级 indicator cells merged down, several units in a cell, short
unit names ("县司法局"), deadlines written every way offices write them, a group of units, a note below.
Run ``python tools/make_supervision_example.py`` to write it again.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

OUT = Path(__file__).resolve().parents[1] / "src" / "fazhi" / "examples" / "supervision" / "yunxi_2025_tasks.xlsx"

L1A, L2A = "一、依法全面履行政府职能", "1.深化“放管服”改革"
L2B = "2.加强事中事后监管"
L1B, L2C = "二、健全依法行政制度体系", "1.行政规范性文件合法性审核和备案"
L2D = "2.行政规范性文件清理"
L1C, L2E = "三、严格规范公正文明执法", "1.落实行政执法“三项制度”"
L2F = "3.执法人员持证上岗和培训"
L1D, L2G = "四、依法有效化解社会矛盾纠纷", "1.行政机关负责人出庭应诉"
L2H = "3.人民调解"
L1E, L2I = "五、加强法治政府建设组织领导", "2.领导干部学法"

ROWS = [
    ["郧西县2025年法治政府建设重点任务责任分工表"],
    ["（县委依法治县办 2025年3月印发）"],
    ["序号", "一级指标", "二级指标", "工作任务", "牵头单位", "配合单位", "完成时限", "备注"],
    [1, L1A, L2A, "政务服务事项全部进驻网上办事平台，网上可办率达到90%以上", "县政务服务和大数据管理局",
     "县直各有关单位", "2025年6月底前", None],
    [2, None, None, "公布实行告知承诺制的证明事项目录", "县司法局（牵头）、县政务服务和大数据管理局", "县公安局，县人社局",
     "3月31日前", None],
    [3, None, None, "热线转办诉求按时办结率达到95%", "县政府办", "各乡镇、县直各单位", "每季度末", "每季度通报"],
    [4, None, L2B, "制定年度“双随机、一公开”抽查计划并按时公示抽查结果", "县市场监管局", "县公安局、县自然资源和规划局",
     "2025年10月", None],
    [5, None, None, "建立市场主体信用承诺制度，实施分级分类监管", "县市场监管局", "县人社局", "年底前", None],
    [6, L1B, L2C, "行政规范性文件出台前全部经过合法性审核", "县司法局", "县政府办", "长期坚持", None],
    [7, None, None, "按时向县人大常委会报送规范性文件备案", "县政府办", "县司法局", "每半年", None],
    [8, None, L2D, "开展规范性文件专项清理并公布清理结果", "县司法局", "县直各有关单位\n各乡镇", "9月30日前", None],
    [9, L1C, L2E, "全面落实行政执法公示、执法全过程记录、重大执法决定法制审核制度", "县司法局",
     "县公安局、县市场监管局、县自然资源和规划局", "11月中旬", None],
    [10, None, None, "开展行政执法案卷评查", "县司法局", "县直各行政执法部门", "2025年8月31日前", None],
    [11, None, L2F, "全县执法人员全部持证上岗", "县司法局", "县人社局", "上半年", None],
    [12, None, None, "组织执法人员法律知识培训，每人不少于60学时", "县司法局", "县直各行政执法部门", "12月31日前", None],
    [13, L1D, L2G, "行政机关负责人出庭应诉率达到100%", "县司法局", "县直各有关单位", "年底前", None],
    [14, None, None, "对行政诉讼败诉案件逐案分析、督促整改", "县司法局", "县公安局、县自然资源和规划局", "视情况", "根据案件情况"],
    [15, None, L2H, "健全人民调解组织，矛盾纠纷调解成功率不低于95%", "县司法局", "城关镇、各乡镇", "每季度末", None],
    [16, None, None, "开展“枫桥式”司法所创建", "城关镇", "县司法局", "2025年11月", None],
    [17, L1E, L2I, "县政府常务会议会前学法每年不少于四次", "县政府办", "县司法局", "每季度末", None],
    [18, None, None, "组织领导干部旁听庭审并开展法治专题讲座", "县司法局", "县人社局", "10月底前", None],
    [19, None, None, "开展新入职公务员宪法宣誓", "县人社局", "县司法局", "2025年7月15日前", None],
    [20, None, None, "党政主要负责人年终述法", "县政府办", "县司法局、城关镇", "次年1月底前", None],
    ["注：1.各牵头单位于每季度末前将工作进展和佐证材料报县委依法治县办。"],
    ["2.完成时限为“每季度末”的，按季度报送进展。"],
]
MERGES = ["A1:H1", "A2:H2", "B4:B8", "C4:C6", "C7:C8", "B9:B11", "C9:C10", "B12:B15", "C12:C13", "C14:C15",
          "B16:B19", "C16:C17", "C18:C19", "B20:B23", "C20:C23", "A24:H24", "A25:H25"]


def main() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "分工表"
    for row in ROWS:
        ws.append(row)
    for rng in MERGES:
        ws.merge_cells(rng)
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    for cell in ws[3]:
        cell.font = Font(bold=True)
    book.properties.creator = "fazhi"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    book.save(OUT)


if __name__ == "__main__":
    main()
