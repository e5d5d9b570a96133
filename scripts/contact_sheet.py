"""Render the procedural faces' contact sheet: 64 faces (seed 0) in an 8×8 grid.

Used to eyeball the built-in dataset (docs/img/procedural_faces.png): each face is upscaled 2× with
nearest-neighbour, so the 56-pixel detail the GAN has to learn is shown as it is, without smoothing,
and faces are separated by a thin grey gutter.

    python scripts/contact_sheet.py [--n 64] [--cols 8] [--seed 0] [--zoom 2] [--out docs/img/procedural_faces.png]
"""

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from course_utils.faces import render_faces  # noqa: E402


def contact_sheet(
    images: np.ndarray, cols: int = 8, zoom: int = 2, gutter: int = 2, grey: int = 128
) -> np.ndarray:
    """Tile uint8 images (n, h, w) into one grid image, each upscaled ``zoom``× with nearest-neighbour."""
    n, h, w = images.shape
    rows = -(-n // cols)
    hz, wz = h * zoom, w * zoom
    sheet = np.full((rows * (hz + gutter) + gutter, cols * (wz + gutter) + gutter), grey, np.uint8)
    for k, img in enumerate(images):
        r, c = divmod(k, cols)
        y, x = gutter + r * (hz + gutter), gutter + c * (wz + gutter)
        sheet[y : y + hz, x : x + wz] = np.kron(img, np.ones((zoom, zoom), np.uint8))
    return sheet


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--cols", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--zoom", type=int, default=2)
    ap.add_argument(
        "--out", default=str(Path(__file__).resolve().parents[1] / "docs/img/procedural_faces.png")
    )
    args = ap.parse_args(argv)
    images, _ = render_faces(args.n, seed=args.seed)
    sheet = contact_sheet(images, cols=args.cols, zoom=args.zoom)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(args.out, sheet):
        raise SystemExit(f"could not write {args.out}")
    print(f"wrote {args.out} ({sheet.shape[1]}x{sheet.shape[0]})")


if __name__ == "__main__":
    main()
