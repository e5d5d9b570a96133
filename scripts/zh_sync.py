"""Keep the Chinese lessons (notebooks/zh/) in step with the English ones.

    python scripts/zh_sync.py                 # list what is out of step (exit 1 if anything is)
    python scripts/zh_sync.py --code          # copy every code cell (and its outputs) from English
    python scripts/zh_sync.py --new NN        # start notebooks/zh/NN_*.ipynb from the English lesson
    python scripts/zh_sync.py --stamp FILE ID [ID ...]   # after retranslating those cells

A zh lesson has the English lesson's cells, in the same order and with the same cell ids. Its code
cells are the English ones, unchanged. Each markdown cell is a translation and records in
``metadata.zh.en_sha`` a hash of the English text it translates: when the English cell changes, the
hash no longer matches and ``tests/test_zh_edition.py`` names the zh cell to retranslate. ``--stamp``
records the current English text as translated (run it only after updating the Chinese).
"""

import argparse
import copy
import hashlib
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EN_DIR = REPO / "notebooks"
ZH_DIR = EN_DIR / "zh"


def text_sha(source):
    """The hash a zh cell records of the English text it translates (whitespace at the ends ignored)."""
    text = "".join(source) if isinstance(source, list) else source
    return hashlib.sha1(text.strip().encode("utf-8")).hexdigest()[:12]


def read(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write(path, nb):
    Path(path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def english_twin(zh_path):
    return EN_DIR / Path(zh_path).name


def problems(zh_path):
    """Every way ``zh_path`` is out of step with its English lesson, one line each."""
    zh_path = Path(zh_path)
    en_path = english_twin(zh_path)
    name = f"notebooks/zh/{zh_path.name}"
    if not en_path.exists():
        return [f"{name}: no English lesson notebooks/{zh_path.name}"]
    en, zh = read(en_path)["cells"], read(zh_path)["cells"]
    found = []
    en_ids = [c["id"] for c in en]
    zh_ids = [c["id"] for c in zh]
    for i, cell in enumerate(en):
        if cell["id"] not in zh_ids:
            found.append(f"{name}: English cell {i} ({cell['id']}) has no zh twin: translate it")
    for i, cell in enumerate(zh):
        if cell["id"] not in en_ids:
            found.append(f"{name}: zh cell {i} ({cell['id']}) has no English cell: remove it")
    if found:
        return found
    if en_ids != zh_ids:
        return [f"{name}: cells are in another order than the English lesson's"]
    for i, (e, z) in enumerate(zip(en, zh)):
        if e["cell_type"] != z["cell_type"]:
            found.append(
                f"{name}: cell {i} ({e['id']}) is {z['cell_type']}, English {e['cell_type']}"
            )
        elif e["cell_type"] == "code":
            if e["source"] != z["source"] or e.get("outputs") != z.get("outputs"):
                found.append(
                    f"{name}: code cell {i} ({e['id']}) differs from English: "
                    "python scripts/zh_sync.py --code"
                )
        elif z.get("metadata", {}).get("zh", {}).get("en_sha") != text_sha(e["source"]):
            found.append(
                f"{name}: cell {i} ({e['id']}) translates an older English text: retranslate it, "
                f"then python scripts/zh_sync.py --stamp {name} {e['id']}"
            )
    return found


def copy_code(zh_path):
    en = {c["id"]: c for c in read(english_twin(zh_path))["cells"]}
    nb = read(zh_path)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and cell["id"] in en:
            cell["source"] = copy.deepcopy(en[cell["id"]]["source"])
            cell["outputs"] = copy.deepcopy(en[cell["id"]].get("outputs", []))
    write(zh_path, nb)


def stamp(zh_path, ids):
    en = {c["id"]: c for c in read(english_twin(zh_path))["cells"]}
    nb = read(zh_path)
    for cell in nb["cells"]:
        if cell["id"] in ids:
            cell.setdefault("metadata", {}).setdefault("zh", {})["en_sha"] = text_sha(
                en[cell["id"]]["source"]
            )
    write(zh_path, nb)


def start(number):
    (en_path,) = EN_DIR.glob(f"{number}_*.ipynb")
    nb = read(en_path)
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell.setdefault("metadata", {})["zh"] = {"en_sha": "untranslated"}
    ZH_DIR.mkdir(exist_ok=True)
    write(ZH_DIR / en_path.name, nb)
    return ZH_DIR / en_path.name


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--code", action="store_true", help="copy code cells from English")
    parser.add_argument("--new", metavar="NN", help="start the zh lesson NN from the English one")
    parser.add_argument("--stamp", nargs="+", metavar=("FILE", "ID"), help="mark cells translated")
    args = parser.parse_args()
    if args.new:
        print(start(args.new))
        return 0
    if args.stamp:
        stamp(
            REPO / args.stamp[0] if not Path(args.stamp[0]).is_absolute() else args.stamp[0],
            set(args.stamp[1:]),
        )
        return 0
    paths = sorted(ZH_DIR.glob("[0-9][0-9]_*.ipynb"))
    if args.code:
        for path in paths:
            copy_code(path)
    found = [line for path in paths for line in problems(path)]
    print("\n".join(found) or f"{len(paths)} zh lessons in step with English")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
