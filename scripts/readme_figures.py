"""Make the README's training figures from a run folder.

    python scripts/readme_figures.py runs/classroom

Writes docs/img/classroom_final.png (the last epoch's 3×3 frame) and docs/img/classroom_strip.png
(five frames of the GIF, first to last, side by side).
"""

import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from course_utils.viz import frame_paths, pick_frames, write_png  # noqa: E402

run_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/classroom")
out_dir = Path(__file__).resolve().parent.parent / "docs" / "img"
paths = frame_paths(run_dir / "frames")
if not paths:
    sys.exit(f"no frames in {run_dir / 'frames'}: train first")
write_png(out_dir / "classroom_final.png", cv2.imread(str(paths[-1]), cv2.IMREAD_GRAYSCALE))
chosen = [cv2.imread(str(paths[i]), cv2.IMREAD_GRAYSCALE) for i in pick_frames(len(paths), 5)]
gutter = np.full((chosen[0].shape[0], 6), 255, np.uint8)
strip = np.hstack([part for frame in chosen for part in (frame, gutter)][:-1])
write_png(
    out_dir / "classroom_strip.png",
    cv2.resize(strip, None, fx=0.75, fy=0.75, interpolation=cv2.INTER_AREA),
)
print(out_dir / "classroom_final.png", out_dir / "classroom_strip.png")
