"""Make the doctor's normal band: course_utils/assets/normal_band.json.

Trains the classroom preset on the procedural faces with several seeds (each run kept in
``--work``, so a second call only reads them: a seed already trained is not trained again), and
writes each seed's per-epoch curves (losses, the critic's verdicts, AFD and FD) and the real faces'
picture measures the doctor compares paintings with (``course_utils.doctor.picture_measures``).
The doctor turns the curves into a band (mean ± a few standard deviations, per epoch) when it reads
the file; docs/doctor.md says how wide and why.

    python scripts/normal_band.py                       # classroom, seeds 0-4 (minutes a seed on 2 cores)
    python scripts/normal_band.py --seeds 0 1 2 --work /tmp/band
"""

import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BAND_PATH = Path(__file__).resolve().parents[1] / "course_utils" / "assets" / "normal_band.json"
CURVES = ("gen_loss", "disc_loss", "d_real", "d_fake", "afd", "fd")


def train_seed(preset, seed, work, data="procedural"):
    """The history of one seed's run (trained now, or read back when already finished)."""
    from course_utils.run_folder import RunFolder
    from course_utils.training import train

    run_dir = Path(work) / f"{preset.name}_seed{seed}"
    print(f"seed {seed}: {run_dir}", flush=True)
    train(run_dir, preset, data=data, seed=seed, progress=False)
    return RunFolder(run_dir).read_history()


def real_faces_measures(n=900, seed=1):
    """The doctor's picture measures of real procedural faces, 9 at a time as a frame shows them."""
    import numpy as np

    from course_utils import doctor
    from course_utils.faces import render_faces

    faces, _ = render_faces(n, seed=seed)
    groups = [doctor.picture_measures(faces[i : i + 9]) for i in range(0, len(faces) - 8, 9)]
    return {k: float(np.median([g[k] for g in groups])) for k in groups[0]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="classroom")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--work", default="runs/normal_band", help="where the seeds' runs are kept")
    ap.add_argument("--out", default=str(BAND_PATH))
    ap.add_argument("--train-only", action="store_true", help="train the seeds, write nothing")
    args = ap.parse_args(argv)

    from course_utils.presets import get_preset

    preset = get_preset(args.preset)
    runs = {}
    for seed in args.seeds:
        history = train_seed(preset, seed, args.work)
        runs[str(seed)] = {k: [row.get(k) for row in history] for k in CURVES}
    if args.train_only:
        return 0
    band = {
        "about": "made by scripts/normal_band.py; read by course_utils.doctor (docs/doctor.md)",
        "real_faces": real_faces_measures(),
        "bands": [
            {
                "preset": asdict(preset),
                "data": "procedural",
                "seeds": args.seeds,
                "runs": runs,
            }
        ],
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(band, indent=1) + "\n")
    print(f"{args.out}: {len(args.seeds)} seeds of preset {preset.name}")
    leave_one_out(band, args.work, preset.name)
    return 0


def leave_one_out(band, work, name):
    """Each seed's run diagnosed against the band of the other seeds: the false positives."""
    from course_utils import doctor

    entry = band["bands"][0]
    found_any = 0
    for seed in entry["runs"]:
        others = {k: v for k, v in entry["runs"].items() if k != seed}
        held_out = {**band, "bands": [{**entry, "runs": others}]}
        findings = doctor.diagnose(Path(work) / f"{name}_seed{seed}", band_file=held_out)
        found_any += bool(findings)
        print(f"seed {seed} against the other seeds' band: {doctor.report(findings)}")
    print(f"false positives: {found_any} of {len(entry['runs'])} healthy seeds")


if __name__ == "__main__":
    sys.exit(main())
