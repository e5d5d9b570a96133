"""Procedural anime faces: the course's built-in dataset, drawn on the spot with no download.

Why a drawn dataset? A GAN lesson needs thousands of faces *now*, on any laptop, offline, and the
same faces for every learner so that results can be compared. This module paints 56×56 grayscale
anime-style faces (outline and pointed chin, big eyes with iris, pupil and highlights, eyebrows, a
small mouth, hair with bangs and side locks) from a handful of random choices per face.

Why these choices? Every face is described by a few *attributes* (hair shade and style, eye size and
spacing, face width, head tilt and position, blush, ...), listed in ``ATTRIBUTES`` and returned next
to the images. They are there so that a GAN has a real *distribution* to learn rather than one
picture, and so that its output can be measured later: an attribute-predicting network can check
whether generated faces show the same variety (how many hair styles and eye styles are covered, how
hair shades spread) as the training faces.

Why draw large and shrink? Shapes are drawn with OpenCV's anti-aliased primitives on a canvas
``SUPERSAMPLE`` times larger than requested, then shrunk with ``cv2.INTER_AREA`` (pixel averaging).
The result has soft, clean edges, as a downscaled illustration would, instead of jagged staircases
a network would have to learn to reproduce.

Why is it fast? All geometry (every polygon of every face) is computed with numpy for a whole batch
at once; the per-face Python loop only hands ready-made integer point arrays to OpenCV. 20,000 faces
take a few seconds on a laptop core.

Reproducibility: ``render_faces(n, seed)`` draws a fixed number of uniform random numbers per face,
in face order, from ``numpy.random.default_rng(seed)``. So the first k faces of any call are the same
k faces (``render_faces(k, s)[0] == render_faces(n, s)[0][:k]``), and a different seed gives a
different set of faces.

Coordinates: all shapes are designed in a *face frame* whose unit is one pixel of the 56-pixel
image, x to the right, y downwards, origin at the midpoint between the eyes. One rotation (tilt) and
one shift (position) per face place that frame on the canvas.
"""

from __future__ import annotations

import cv2
import numpy as np

IMAGE_SIZE = 56
"""Side of the square images, in pixels (the course's DCGAN is built for 56×56)."""

SUPERSAMPLE = 4
"""Faces are drawn this many times larger, then averaged down: smooth anti-aliased edges."""

ATTRIBUTES: dict[str, str] = {
    "hair_shade": "hair grey level: 0 dark (black hair) .. 1 light (blond / silver hair)",
    "skin_shade": "skin grey level: 0 darker .. 1 pale",
    "background_shade": "background grey level: 0 dark .. 1 light",
    "iris_shade": "iris grey level: 0 dark .. 1 light (the pupil stays black)",
    "eye_size": "eye width in pixels of the 56-pixel image: 7.5 .. 10.5",
    "eye_spacing": "distance between the eye centres in pixels: about 11 .. 19 (at most the face allows)",
    "face_width": "cheek-to-cheek width of the face in pixels: 25 .. 31",
    "tilt_degrees": "head rotation in degrees: -12 .. 12, positive turns the head clockwise on screen",
    "offset_x": "head position, pixels right of centre: -3 .. 3",
    "offset_y": "head position, pixels below centre: -3 .. 3",
    "mouth_width": "mouth width in pixels: 2.5 .. 6",
    "blush": "0 no blush, 1 darker blushing patches on both cheeks",
    "hair_style": "0 bob (ends at the jaw), 1 long (past the shoulders), 2 twin tails, 3 short and spiky",
    "eye_style": "0 round, 1 sharp (outer corners raised), 2 sleepy (upper lid half closed)",
    "mouth_style": "0 smile (a curved line), 1 open (a filled D shape), 2 cat mouth (ω)",
}
"""Attribute name -> one-line meaning. ``render_faces`` returns one array per name, one value per face."""

CONTINUOUS_RANGES: dict[str, tuple[float, float]] = {
    "hair_shade": (0.0, 1.0),
    "skin_shade": (0.0, 1.0),
    "background_shade": (0.0, 1.0),
    "iris_shade": (0.0, 1.0),
    "eye_size": (7.5, 10.5),
    "eye_spacing": (11.0, 19.0),
    "face_width": (25.0, 31.0),
    "tilt_degrees": (-12.0, 12.0),
    "offset_x": (-3.0, 3.0),
    "offset_y": (-3.0, 3.0),
    "mouth_width": (2.5, 6.0),
}
"""Closed value ranges of the real-valued attributes (float32 arrays)."""

CATEGORIES: dict[str, int] = {"blush": 2, "hair_style": 4, "eye_style": 3, "mouth_style": 3}
"""Number of values of each categorical attribute (int arrays holding 0 .. count-1)."""

_SHIFT = 4  # OpenCV fixed-point bits: coordinates are passed as integers in 1/16 canvas pixel
_N_DRAWS = 40  # uniform numbers consumed per face; never change it, or every seed's faces change
_N_LOCKS = 5  # pointed locks in the bangs
_CHUNK = 1024  # faces whose geometry is computed together (bounds the memory of the numpy stage)


# ---------------------------------------------------------------------------------------------------
# 1. Random choices
# ---------------------------------------------------------------------------------------------------

def sample_face_params(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Draw everything that makes the ``n`` faces differ: the ``ATTRIBUTES`` plus minor details.

    Minor details (names starting with ``_``: bang lengths and jitter, hair volume, jaw shape, gaze,
    clothes) add natural variety but are not reported as attributes. Each face uses exactly
    ``_N_DRAWS`` uniforms of one generator, in order, which is what makes prefixes stable.
    """
    u = np.random.default_rng(seed).random((n, _N_DRAWS))
    col = iter(range(_N_DRAWS))

    def nxt():
        return u[:, next(col)]

    def between(lo, hi):
        return (lo + (hi - lo) * nxt()).astype(np.float32)

    def category(count):
        return np.minimum((nxt() * count).astype(np.int64), count - 1)

    p: dict[str, np.ndarray] = {}
    p["hair_shade"] = between(0.0, 1.0)
    p["skin_shade"] = between(0.0, 1.0)
    p["background_shade"] = between(0.0, 1.0)
    p["iris_shade"] = between(0.0, 1.0)
    p["eye_size"] = between(7.5, 10.5)
    p["face_width"] = between(25.0, 31.0)
    # Eye spacing is drawn relative to the eye size (gap of 0.45 to 1 eye width between the eyes),
    # then capped so that both eyes stay inside the cheeks; the value reported is the one drawn.
    spacing = p["eye_size"] * between(1.45, 2.0)
    p["eye_spacing"] = np.minimum(spacing, p["face_width"] - p["eye_size"] - 2.0).astype(np.float32)
    p["tilt_degrees"] = between(-12.0, 12.0)
    p["offset_x"] = between(-3.0, 3.0)
    p["offset_y"] = between(-3.0, 3.0)
    p["mouth_width"] = between(2.5, 6.0)
    p["blush"] = (nxt() < 0.4).astype(np.int64)
    p["hair_style"] = category(4)
    p["eye_style"] = category(3)
    p["mouth_style"] = category(3)
    # Minor details.
    p["_hair_volume"] = between(3.5, 5.5)
    p["_jaw"] = between(0.54, 0.60)
    p["_bang_length"] = between(0.0, 1.0)
    p["_gaze"] = between(-0.6, 0.6)
    p["_clothes_shade"] = between(0.0, 1.0)
    p["_lock_tips"] = np.stack([between(-1.0, 1.0) for _ in range(_N_LOCKS)], axis=1)
    p["_lock_drops"] = np.stack([between(0.0, 1.0) for _ in range(_N_LOCKS)], axis=1)
    p["_brow_angle"] = between(-0.15, 0.25)
    return p


def _public(params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {name: params[name].copy() for name in ATTRIBUTES}


# ---------------------------------------------------------------------------------------------------
# 2. Geometry: polygons for a batch of faces, in the face frame
# ---------------------------------------------------------------------------------------------------

def _col(x):
    """(N,) -> (N, 1) so that per-face values broadcast over a polygon's points."""
    return np.asarray(x, dtype=np.float64).reshape(-1, 1)


def _ellipse(cx, cy, ax, ay, t0=0.0, t1=2 * np.pi, points=24, angle=None):
    """Points of an ellipse (or of the arc t0..t1) for every face: (N, points, 2).

    ``angle`` (radians, per face) rotates the ellipse about its centre.
    """
    t = np.linspace(t0, t1, points, endpoint=not np.isclose(t1 - t0, 2 * np.pi))
    x, y = _col(ax) * np.cos(t), _col(ay) * np.sin(t)
    if angle is not None:
        c, s = np.cos(_col(angle)), np.sin(_col(angle))
        x, y = c * x - s * y, s * x + c * y
    return np.stack([x + _col(cx), y + _col(cy)], axis=-1)


def _bezier(p0, p1, p2, points):
    """Quadratic Bézier curves from p0 to p2 pulled towards p1; each pi is (N, 2). -> (N, points, 2)."""
    t = np.linspace(0.0, 1.0, points)[None, :, None]
    return (1 - t) ** 2 * p0[:, None] + 2 * (1 - t) * t * p1[:, None] + t ** 2 * p2[:, None]


def _xy(x, y):
    """Two (N,) arrays -> (N, 2) points."""
    return np.stack(np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float)), axis=-1)


def _band(x, y_mid, half_thickness):
    """A thin filled stroke along y_mid(x): (N, 2*len(x), 2). Cheaper than OpenCV's thick lines."""
    upper = np.stack(np.broadcast_arrays(x, y_mid - half_thickness), axis=-1)
    lower = np.stack(np.broadcast_arrays(x, y_mid + half_thickness), axis=-1)
    return np.concatenate([upper, lower[:, ::-1]], axis=1)


def _mirror(shape):
    """Left/right pair from a shape designed on the right side: (N, P, 2) -> (N, 2, P, 2)."""
    left = shape * np.array([-1.0, 1.0])
    return np.stack([left, shape], axis=1)


def _geometry(p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """All polygons of a batch of faces, in the face frame (unit: one 56-image pixel)."""
    n = len(p["face_width"])
    W = p["face_width"].astype(np.float64)
    half = W / 2
    chin = W * p["_jaw"]  # chin depth below the eye line
    style = p["hair_style"]
    v = p["_hair_volume"].astype(np.float64)
    rx, ry = half + v, 0.66 * W + v + 1.5  # the hair dome around the skull
    face_top = 0.66 * W + 1.5  # forehead ellipse half-height, centred 1.5 below the eye line
    g: dict[str, np.ndarray] = {}

    # --- face: rounded forehead and cheeks, then a jaw converging on a pointed chin ---------------
    upper = _ellipse(0, 1.5, half, face_top, 0.0, -np.pi, points=15)  # right cheek over top to left
    zero = np.zeros(n)
    jaw_l = _bezier(_xy(-half, 1.5), _xy(-half, 1.5 + 0.62 * (chin - 1.5)), _xy(zero, chin), 9)
    jaw_r = _bezier(_xy(zero, chin), _xy(half, 1.5 + 0.62 * (chin - 1.5)), _xy(half, 1.5), 9)
    g["face"] = np.concatenate([upper, jaw_l[:, 1:], jaw_r[:, 1:-1]], axis=1)
    g["jaw_line"] = np.concatenate([jaw_l[:, 2:], jaw_r[:, 1:-2]], axis=1)  # visible outline part

    # --- neck with the chin's shadow, shoulders --------------------------------------------------
    nw = 0.2 * W
    g["neck"] = np.stack([_xy(-nw, chin - 6), _xy(nw, chin - 6), _xy(nw, chin + 8),
                          _xy(zero, chin + 11), _xy(-nw, chin + 8)], axis=1)
    g["chin_shadow"] = np.stack([_xy(-nw, chin - 6), _xy(nw, chin - 6), _xy(nw, chin),
                                 _xy(zero, chin + 2.5), _xy(-nw, chin)], axis=1)
    g["shoulders"] = _ellipse(0, chin + 17, 0.98 * W, 10.0, points=28)

    # --- back hair: one outline per face, dome plus style-dependent sides ----------------------
    # Per style: how far below the eye line the side hair reaches, and how much it flares out.
    side_len = np.array([0.85, 2.9, 0.55, 0.2])[style] * chin
    flare = np.array([0.8, 3.0, 0.0, -1.0])[style]
    dome = _ellipse(0, 0, rx, ry, 0.0, -np.pi, points=17)  # right side over the top to left side
    spikes = np.where(style == 3, 1.0, 0.0)[:, None] * (np.arange(17) % 2 == 1) * 0.16
    dome = dome * (1 + spikes[..., None])
    left_side = np.stack([
        _xy(-rx - 0.3 * flare, 0.45 * side_len),
        _xy(-rx - flare, side_len - 1.5),
        _xy(-rx - flare + 2.5, side_len),
        _xy(-half + 3.0, side_len - 0.5),
    ], axis=1)
    right_side = (left_side * np.array([-1.0, 1.0]))[:, ::-1]
    g["back_hair"] = np.concatenate([dome, left_side, right_side], axis=1)

    # Twin tails (drawn for hair style 2 only): long ellipses hanging from the sides of the head.
    top_y, bottom_y = -0.45 * ry, chin + 11
    tail = _ellipse(rx + 3.2, (top_y + bottom_y) / 2, np.full(n, 4.6), (bottom_y - top_y) / 2,
                    points=22, angle=np.full(n, -0.18))
    g["tails"] = _mirror(tail)
    g["ties"] = _mirror(_ellipse(rx + 0.2, top_y + 2.0, np.full(n, 1.9), np.full(n, 1.5),
                                 points=12, angle=np.full(n, 0.5)))

    # --- front hair: side locks framing the face, then bangs over the forehead ----------------------
    lock_len = np.array([0.8, 1.0, 0.75, 0.15])[style] * chin + np.array([0, 10, 0, 0])[style]
    lock = np.stack([
        _xy(half + 2.2, -0.40 * W),
        _xy(half + 2.0, 0.5 * lock_len),
        _xy(half + 0.6, lock_len),  # the tip
        _xy(half - 1.3, 0.45 * lock_len),
        _xy(half - 2.6, -0.40 * W),
    ], axis=1)
    g["locks"] = _mirror(lock)

    eye_h = p["eye_size"] * 1.15
    # Bangs: tips between the brows and the eye tops, notches 3-5 pixels higher; the outer tips hang
    # lower to frame the face. Spiky hair gets shorter, sharper locks.
    tip_base = -0.5 * eye_h - 1.0 - 3.0 * p["_bang_length"] - np.where(style == 3, 1.5, 0.0)
    xs = (np.arange(_N_LOCKS) + 0.5) / _N_LOCKS * 2 - 1  # -0.8 .. 0.8
    tip_x = _col(half - 1.0) * xs + 0.9 * p["_lock_tips"]
    outer = np.abs(xs) > 0.7
    tip_y = _col(tip_base) + 1.6 * p["_lock_drops"] + 2.0 * outer
    tip_y = np.minimum(tip_y, _col(-0.5 * eye_h + 0.3))  # never hide the eyes
    notch_x = (tip_x[:, 1:] + tip_x[:, :-1]) / 2
    notch_y = np.minimum(tip_y[:, 1:], tip_y[:, :-1]) - _col(np.where(style == 3, 5.5, 3.8))
    zig = np.zeros((n, 2 * _N_LOCKS - 1, 2))
    zig[:, 0::2, 0], zig[:, 0::2, 1] = tip_x, tip_y
    zig[:, 1::2, 0], zig[:, 1::2, 1] = notch_x, notch_y
    bangs_dome = _ellipse(0, 0, rx - 0.4, ry - 0.4, 0.12, -np.pi - 0.12, points=17)
    bangs_dome = bangs_dome * (1 + spikes[..., None])
    temple_l = _xy(-half - 0.5, -0.28 * W)
    temple_r = _xy(half + 0.5, -0.28 * W)
    g["bangs"] = np.concatenate([bangs_dome, temple_l[:, None], zig, temple_r[:, None]], axis=1)
    # The bangs cast a thin shadow on the forehead: the zigzag shifted down, closed far above.
    shadow = zig + np.array([0.0, 1.0])
    g["bangs_shadow"] = np.concatenate(
        [_xy(-half + 1, -0.6 * W)[:, None], shadow, _xy(half - 1, -0.6 * W)[:, None]], axis=1)
    # Strand lines: short dark strokes from each notch up into the hair.
    up = np.stack([notch_x * 0.85, notch_y - 4.0], axis=-1)
    g["strands"] = np.stack([zig[:, 1::2], up], axis=2)  # (N, locks-1, 2, 2)
    # The shine on the hair: a crescent with a sawtooth lower edge, as anime hair highlights are drawn.
    outer_arc = _ellipse(0, 0, 0.80 * rx, 0.80 * ry, -0.33 * np.pi, -0.67 * np.pi, points=9)
    inner_arc = _ellipse(0, 0, 0.74 * rx, 0.74 * ry, -0.67 * np.pi, -0.33 * np.pi, points=9)
    inner_arc = inner_arc * (1 - 0.06 * (np.arange(9) % 2))[None, :, None]
    g["shine"] = np.concatenate([outer_arc, inner_arc], axis=1)

    # --- eyes -----------------------------------------------------------------------------------
    ew = p["eye_size"].astype(np.float64)
    eyes = p["eye_style"]
    eh = ew * np.array([1.2, 0.95, 1.1])[eyes]
    ex = p["eye_spacing"] / 2
    # Eyes are designed on the right side of the face (outer corner to the right), then mirrored.
    # Sharp eyes are rotated so that the outer corner rises.
    angle = np.where(eyes == 1, -0.2, 0.0)
    g["sclera"] = _mirror(_ellipse(ex, 0, ew / 2, eh / 2, points=24, angle=angle))
    gaze = p["_gaze"].astype(np.float64)
    icy = 0.06 * eh
    iris_l = _ellipse(-ex + gaze, icy, 0.40 * ew, 0.46 * eh, points=22)
    iris_r = _ellipse(ex + gaze, icy, 0.40 * ew, 0.46 * eh, points=22)
    g["iris"] = np.stack([iris_l, iris_r], axis=1)
    dark_l = _ellipse(-ex + gaze, icy, 0.40 * ew, 0.46 * eh, np.pi, 2 * np.pi, points=12)
    dark_r = _ellipse(ex + gaze, icy, 0.40 * ew, 0.46 * eh, np.pi, 2 * np.pi, points=12)
    g["iris_top"] = np.stack([dark_l, dark_r], axis=1)  # upper half darker: shade under the lid
    g["pupil"] = np.stack([_ellipse(-ex + gaze, icy + 0.04 * eh, 0.17 * ew, 0.25 * eh, points=14),
                           _ellipse(ex + gaze, icy + 0.04 * eh, 0.17 * ew, 0.25 * eh, points=14)], axis=1)
    big, small = 0.17 * ew, 0.075 * ew
    hl = []
    for sx in (-1, 1):  # the light comes from the upper left for both eyes
        cx = sx * ex + gaze
        hl.append(_ellipse(cx - 0.17 * ew, icy - 0.2 * eh, big, big, points=12))
        hl.append(_ellipse(cx + 0.18 * ew, icy + 0.24 * eh, small, small, points=8))
    g["highlights_big"] = np.stack(hl[0::2], axis=1)
    g["highlights_small"] = np.stack(hl[1::2], axis=1)

    # Upper lid: the sclera's top edge for open eyes, a flatter lower line for sleepy eyes. Above it:
    # skin (this also trims any iris that pokes out), along it: a thick lash stroke with a flick.
    lx = np.linspace(-1.0, 1.0, 13)
    sx = _col(ew / 2 + 0.3) * lx
    arch = np.sqrt(np.clip(1 - lx ** 2, 0, 1))
    lid_open = -_col(eh / 2) * arch
    lid_sleepy = -_col(0.02 * eh) - _col(0.18 * eh) * arch
    lid_y = np.where(_col(eyes == 2), lid_sleepy, lid_open)
    rot = np.where(_col(eyes == 1), -0.2, 0.0)  # match the sharp eye's rotation: y += x * rot
    lid_y = lid_y + sx * rot
    lid = np.stack([sx + _col(ex), lid_y], axis=-1)
    cover_top = np.stack([lid[:, ::-1, 0], np.full_like(lid_y, 0.0) - _col(eh / 2 + 2.0)], axis=-1)
    g["lid_cover"] = _mirror(np.concatenate([lid, cover_top], axis=1))
    lash_half = np.where(eyes == 1, 0.85, 0.7)
    lash = _band(sx + _col(ex), lid_y - _col(lash_half) * 0.6, _col(lash_half) * (0.4 + 0.6 * arch))
    flick = np.stack([_xy(ex + ew / 2 + 1.6, lid_y[:, -1] - 1.2 + 0.0 * ew),
                      _xy(ex + ew / 2 - 0.6, lid_y[:, -1] + 0.4)], axis=1)
    g["lash"] = _mirror(np.concatenate([lash[:, :13], flick, lash[:, 13:]], axis=1))
    bx = np.linspace(0.1, 0.85, 6)
    low_y = _col(eh / 2) * np.sqrt(1 - bx ** 2) + (_col(ew / 2) * bx) * rot
    g["lower_lash"] = _mirror(_band(_col(ex) + _col(ew / 2) * bx, low_y + 0.5, 0.35))

    # --- brows: thin arches above the eyes (drawn over the bangs, as anime does) -----------------------
    bxs = np.linspace(-0.35, 0.45, 7)
    brow_x = _col(ex) + _col(ew) * bxs
    brow_y = _col(-eh / 2 - 2.6) - 0.8 * (1 - (2 * bxs - 0.1) ** 2) + _col(p["_brow_angle"]) * _col(ew) * bxs
    g["brows"] = _mirror(_band(brow_x, brow_y, 0.4))

    # --- nose, mouth, blush ------------------------------------------------------------------------
    ny = 0.45 * chin
    g["nose"] = np.stack([_xy(0.2 + zero, ny - 0.6), _xy(0.9 + zero, ny + 0.6), _xy(-0.3 + zero, ny + 0.5)], axis=1)
    my = 0.72 * chin
    mw = p["mouth_width"].astype(np.float64)
    mx = np.linspace(-1.0, 1.0, 9)
    g["mouth_smile"] = _band(_col(mw / 2) * mx, _col(my) + 0.9 * (1 - mx ** 2), 0.42)
    g["mouth_open"] = np.concatenate([
        np.stack(np.broadcast_arrays(_col(mw / 2) * mx, _col(my) - 0.3 * (1 - mx ** 2)), axis=-1),
        np.stack(np.broadcast_arrays(_col(mw / 2) * mx[::-1], _col(my) + _col(0.55 * mw) * np.sqrt(1 - mx[::-1] ** 2)), axis=-1),
    ], axis=1)
    g["tongue"] = _ellipse(0.1 * mw, my + 0.38 * mw, 0.26 * mw, 0.13 * mw, np.pi, 2 * np.pi, points=8)
    cx = np.linspace(-1.0, 1.0, 7)
    cw = 0.8 * mw  # the ω is drawn a little narrower than the other mouths
    arc_y = _col(my) + _col(0.28 * cw) * np.sqrt(1 - cx ** 2)
    g["mouth_cat"] = np.stack([_band(_col(-cw / 4) + _col(cw / 4) * cx, arc_y, 0.34),
                               _band(_col(cw / 4) + _col(cw / 4) * cx, arc_y, 0.34)], axis=1)
    g["blush"] = _mirror(_ellipse(ex + 0.6, 0.5 * eh + 2.6, 0.36 * ew + 0.6, np.full(n, 1.5), points=14))
    return g


# ---------------------------------------------------------------------------------------------------
# 3. Rasterisation: OpenCV draws the polygons of one face at a time
# ---------------------------------------------------------------------------------------------------

def _to_canvas(g: dict[str, np.ndarray], p: dict[str, np.ndarray], size: int, scale: float):
    """Rotate by the tilt, shift to the head position, scale to the canvas and to OpenCV fixed point."""
    t = np.deg2rad(p["tilt_degrees"].astype(np.float64))
    c, s = np.cos(t), np.sin(t)
    centre = np.stack([IMAGE_SIZE / 2 + p["offset_x"], IMAGE_SIZE / 2 - 1.0 + p["offset_y"]], axis=-1)
    unit = scale * (1 << _SHIFT)
    out = {}
    for name, pts in g.items():
        extra = (1,) * (pts.ndim - 2)  # broadcast per-face values over the polygon axes
        x, y = pts[..., 0], pts[..., 1]
        cc, ss = c.reshape(-1, *extra), s.reshape(-1, *extra)
        X = cc * x - ss * y + centre[:, 0].reshape(-1, *extra)
        Y = ss * x + cc * y + centre[:, 1].reshape(-1, *extra)
        out[name] = np.rint(np.stack([X, Y], axis=-1) * unit).astype(np.int32)
    return out


def _shades(p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Grey levels per face. Hair never gets as light as the skin, so bangs stay readable."""
    hair = 22 + 178 * p["hair_shade"]
    skin = 178 + 62 * p["skin_shade"]
    return {
        "hair": hair,
        "hair_line": hair * 0.35,
        "shine": hair + (255 - hair) * 0.4,
        "skin": skin,
        "skin_shadow": skin * 0.86,
        "line": skin * 0.33,
        "blush": skin - 36,
        "bg": 25 + 210 * p["background_shade"],
        "iris": 35 + 145 * p["iris_shade"],
        "iris_top": (35 + 145 * p["iris_shade"]) * 0.55,
        "clothes": 30 + 200 * p["_clothes_shade"],
        "tie": np.where(p["hair_shade"] < 0.5, 225.0, 30.0),
    }


def draw_faces(params: dict[str, np.ndarray], size: int = IMAGE_SIZE) -> np.ndarray:
    """Paint faces described by ``params`` (as from ``sample_face_params``): uint8 ``(n, size, size)``.

    Exposed so that experiments (and the tests) can change one attribute and redraw the same face.
    """
    n = len(params["face_width"])
    canvas_size = size * SUPERSAMPLE
    scale = canvas_size / IMAGE_SIZE  # canvas pixels per face-frame unit
    line = max(1, int(round(0.9 * scale)))  # outline thickness in canvas pixels (~0.9 output pixel)
    thin = max(1, int(round(0.45 * scale)))
    aa = cv2.LINE_AA
    out = np.empty((n, size, size), np.uint8)
    canvas = np.empty((canvas_size, canvas_size), np.uint8)
    for start in range(0, n, _CHUNK):
        sl = slice(start, min(n, start + _CHUNK))
        p = {k: v[sl] for k, v in params.items()}
        g = _to_canvas(_geometry(p), p, size, scale)
        sh = {k: [int(round(x)) for x in np.clip(v, 0, 255)] for k, v in _shades(p).items()}
        hair_style, eye_style = p["hair_style"].tolist(), p["eye_style"].tolist()
        mouth_style, blush = p["mouth_style"].tolist(), p["blush"].tolist()
        for i in range(sl.stop - sl.start):
            hair, hair_line, skin, ln = sh["hair"][i], sh["hair_line"][i], sh["skin"][i], sh["line"][i]
            canvas.fill(sh["bg"][i])
            if hair_style[i] == 2:
                cv2.fillPoly(canvas, g["tails"][i], hair, aa, _SHIFT)
                cv2.polylines(canvas, g["tails"][i], True, hair_line, line, aa, _SHIFT)
            cv2.fillPoly(canvas, [g["back_hair"][i]], hair, aa, _SHIFT)
            cv2.polylines(canvas, [g["back_hair"][i]], True, hair_line, line, aa, _SHIFT)
            cv2.fillPoly(canvas, [g["shoulders"][i]], sh["clothes"][i], aa, _SHIFT)
            cv2.polylines(canvas, [g["shoulders"][i]], True, ln, line, aa, _SHIFT)
            cv2.fillPoly(canvas, [g["neck"][i]], skin, aa, _SHIFT)
            cv2.fillPoly(canvas, [g["chin_shadow"][i]], sh["skin_shadow"][i], aa, _SHIFT)
            cv2.fillPoly(canvas, [g["face"][i]], skin, aa, _SHIFT)
            cv2.polylines(canvas, [g["jaw_line"][i]], False, ln, line, aa, _SHIFT)
            cv2.fillPoly(canvas, [g["bangs_shadow"][i]], sh["skin_shadow"][i], aa, _SHIFT)
            if blush[i]:
                cv2.fillPoly(canvas, g["blush"][i], sh["blush"][i], aa, _SHIFT)
            cv2.fillPoly(canvas, g["sclera"][i], 250, aa, _SHIFT)
            cv2.fillPoly(canvas, g["iris"][i], sh["iris"][i], aa, _SHIFT)
            cv2.fillPoly(canvas, g["iris_top"][i], sh["iris_top"][i], aa, _SHIFT)
            cv2.fillPoly(canvas, g["pupil"][i], 12, aa, _SHIFT)
            cv2.fillPoly(canvas, g["highlights_big"][i], 255, aa, _SHIFT)
            cv2.fillPoly(canvas, g["highlights_small"][i], 255, aa, _SHIFT)
            cv2.fillPoly(canvas, g["lid_cover"][i], skin, aa, _SHIFT)
            cv2.fillPoly(canvas, g["lash"][i], 15, aa, _SHIFT)
            cv2.fillPoly(canvas, g["lower_lash"][i], ln, aa, _SHIFT)
            cv2.fillPoly(canvas, [g["nose"][i]], sh["skin_shadow"][i], aa, _SHIFT)
            if mouth_style[i] == 0:
                cv2.fillPoly(canvas, [g["mouth_smile"][i]], ln, aa, _SHIFT)
            elif mouth_style[i] == 1:
                cv2.fillPoly(canvas, [g["mouth_open"][i]], 45, aa, _SHIFT)
                cv2.fillPoly(canvas, [g["tongue"][i]], 140, aa, _SHIFT)
            else:
                cv2.fillPoly(canvas, g["mouth_cat"][i], ln, aa, _SHIFT)
            cv2.fillPoly(canvas, g["locks"][i], hair, aa, _SHIFT)
            cv2.polylines(canvas, g["locks"][i], True, hair_line, line, aa, _SHIFT)
            cv2.fillPoly(canvas, [g["bangs"][i]], hair, aa, _SHIFT)
            cv2.polylines(canvas, [g["bangs"][i]], True, hair_line, line, aa, _SHIFT)
            cv2.polylines(canvas, g["strands"][i], False, hair_line, thin, aa, _SHIFT)
            cv2.fillPoly(canvas, [g["shine"][i]], sh["shine"][i], aa, _SHIFT)
            cv2.fillPoly(canvas, g["brows"][i], min(hair_line, 70), aa, _SHIFT)
            if hair_style[i] == 2:
                cv2.fillPoly(canvas, g["ties"][i], sh["tie"][i], aa, _SHIFT)
            out[start + i] = cv2.resize(canvas, (size, size), interpolation=cv2.INTER_AREA)
    return out


def render_faces(n: int, seed: int = 0, size: int = IMAGE_SIZE) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Draw ``n`` procedural anime faces.

    Returns the images, uint8 ``(n, size, size)`` with 0 black and 255 white, and a dict with one
    array of length ``n`` per entry of ``ATTRIBUTES`` (float32 for continuous attributes, int64 for
    categorical ones; see ``CONTINUOUS_RANGES`` and ``CATEGORIES``). Deterministic: the same
    ``(n, seed)`` always gives the same faces, and the first k faces do not depend on ``n``.
    ``size`` other than 56 scales the whole drawing, so attributes stay in 56-pixel units.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if size < 8:
        raise ValueError(f"size must be at least 8 pixels, got {size}")
    params = sample_face_params(n, seed)
    return draw_faces(params, size), _public(params)
