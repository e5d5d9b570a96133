"""Procedural anime faces: the course's built-in dataset, drawn on the spot with no download.

A GAN lesson needs thousands of faces now, offline, and the same ones for every learner. Each face
is drawn from a few random *attributes* (``ATTRIBUTES``), returned with the images so that a metric
can check that painted faces cover the same variety. ``render_faces(n, seed)`` is prefix-stable:
the first k faces of any call are the same k faces. Shapes are designed in a *face frame*: one unit
per pixel of the 56-pixel image, x right, y down, origin between the eyes. How the faces are drawn,
and why: docs/faces.md.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import cv2
import numpy as np

from course_utils.language import Messages

_say = Messages(
    __name__,
    {
        "negative count": ("n must be >= 0, got {n}", "n 必须 >= 0，收到的是 {n}"),
        "size too small": (
            "size must be at least 8 pixels, got {size}",
            "size 至少要 8 像素，收到的是 {size}",
        ),
    },
)

IMAGE_SIZE = 56
"""Side of the square images, in pixels: defined here once, for the whole course (the DCGAN is
built for 56×56)."""

SUPERSAMPLE = 4
"""Faces are drawn this many times larger, then averaged down: 16 grey levels on every edge."""

SOFTEN_SIGMA = 0.8
"""Finally every face is softened by a Gaussian blur of this many output pixels (scaled with ``size``).

Real anime face crops, shrunk from about 100 pixels to 56, have soft shading and no one-pixel lines;
crisp one-pixel outlines and highlights would make the procedural faces needlessly harder to learn
than the real ones in a lesson's few minutes. With it, the anime-face detector finds a face in 0.99 of
them (0.998 on real crops, 0.94 on the unsoftened drawings)."""

ATTRIBUTES: dict[str, str] = {
    "hair_shade": "hair grey level: 0 dark (black hair) .. 1 light (blond / silver hair)",
    "skin_shade": "skin grey level: 0 darker .. 1 pale",
    "background_shade": "background grey level: 0 dark .. 1 light",
    "iris_shade": "iris grey level: 0 dark .. 1 light (the pupil stays black)",
    "eye_size": "eye width in pixels of the 56-pixel image: 7.5 .. 10.5",
    "eye_spacing": "distance between the eye centres in pixels: 10.8 .. 21 (capped to fit the face)",
    "face_width": "cheek-to-cheek width of the face in pixels: 25 .. 31",
    "tilt_degrees": "head rotation in degrees: -12 .. 12, positive turns the head clockwise on screen",
    "offset_x": "head position, pixels right of the centre: -3 .. 3",
    "offset_y": "head position, pixels below the centre: -3 .. 3",
    "mouth_width": "mouth width in pixels: 3 .. 6.5",
    "blush": "0 no blush, 1 darker blushing patches on both cheeks",
    "hair_style": "0 bob (ends at the jaw), 1 long (past the shoulders), 2 twin tails, 3 short and spiky",
    "eye_style": "0 round, 1 sharp (outer corners raised), 2 sleepy (upper lids half closed)",
    "mouth_style": "0 smile (a curved line), 1 open (a D shape with a tongue), 2 cat mouth (ω)",
}
"""Attribute name -> one-line meaning. ``render_faces`` returns one array per name, one value per face."""

CONTINUOUS_RANGES: dict[str, tuple[float, float]] = {
    "hair_shade": (0.0, 1.0),
    "skin_shade": (0.0, 1.0),
    "background_shade": (0.0, 1.0),
    "iris_shade": (0.0, 1.0),
    "eye_size": (7.5, 10.5),
    "eye_spacing": (10.8, 21.0),
    "face_width": (25.0, 31.0),
    "tilt_degrees": (-12.0, 12.0),
    "offset_x": (-3.0, 3.0),
    "offset_y": (-3.0, 3.0),
    "mouth_width": (3.0, 6.5),
}
"""Closed value ranges of the real-valued attributes (float32 arrays)."""

CATEGORIES: dict[str, int] = {"blush": 2, "hair_style": 4, "eye_style": 3, "mouth_style": 3}
"""Number of values of each categorical attribute (int64 arrays holding 0 .. count-1)."""

CATEGORY_LABELS: dict[str, tuple[str, ...]] = {
    "blush": ("none", "blush"),
    "hair_style": ("bob", "long", "twin tails", "spiky"),
    "eye_style": ("round", "sharp", "sleepy"),
    "mouth_style": ("smile", "open", "cat"),
}
"""Short names of the categorical values, in order (for plots), as ``ATTRIBUTES`` describes them."""

_SHIFT = 4  # OpenCV fixed-point bits: coordinates are passed as integers in 1/16 canvas pixel
_N_DRAWS = 40  # uniforms per face (31 used, the rest spare): changing it changes every seed's faces
_N_LOCKS = 5  # pointed locks in the bangs
_RIM = 0.85  # outline width, in output pixels
_CHUNK = 256  # faces computed and drawn together (one canvas of 256 × 224×224 = 13 MB)
_SPLIT_MIN = 3000  # from this many faces on, a helper process draws part of them (see _draw_split)
_NOWHERE = -1000.0  # a polygon collapsed onto this far-off point draws nothing


# ---------------------------------------------------------------------------------------------------
# 1. Random choices
# ---------------------------------------------------------------------------------------------------


def sample_face_params(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Draw everything that makes ``n`` faces differ: the ``ATTRIBUTES`` plus minor details.

    Minor details (names starting with ``_``: bang lengths and jitter, hair volume, jaw shape, gaze,
    clothes, brow angle) add natural variety but are not reported as attributes. Each face uses
    exactly ``_N_DRAWS`` uniforms of one generator, in order, which is what makes prefixes stable.
    """
    u = np.random.default_rng(seed).random((n, _N_DRAWS))
    columns = iter(range(_N_DRAWS))

    def between(lo, hi):
        return (lo + (hi - lo) * u[:, next(columns)]).astype(np.float32)

    def category(count):
        return np.minimum((u[:, next(columns)] * count).astype(np.int64), count - 1)

    p: dict[str, np.ndarray] = {}
    p["hair_shade"] = between(0.0, 1.0)
    p["skin_shade"] = between(0.0, 1.0)
    p["background_shade"] = between(0.0, 1.0)
    p["iris_shade"] = between(0.0, 1.0)
    p["eye_size"] = between(7.5, 10.5)
    p["face_width"] = between(25.0, 31.0)
    # The gap between the eyes is 0.45 to 1 eye width (spacing = 1.45 to 2 eye widths), capped so
    # that both eyes stay inside the cheeks. The value reported is the one drawn.
    spacing = p["eye_size"] * between(1.45, 2.0)
    p["eye_spacing"] = np.minimum(spacing, p["face_width"] - p["eye_size"] - 2.0)
    p["tilt_degrees"] = between(-12.0, 12.0)
    p["offset_x"] = between(-3.0, 3.0)
    p["offset_y"] = between(-3.0, 3.0)
    p["mouth_width"] = between(3.0, 6.5)
    p["blush"] = (u[:, next(columns)] < 0.4).astype(np.int64)
    p["hair_style"] = category(4)
    p["eye_style"] = category(3)
    p["mouth_style"] = category(3)
    p["_hair_volume"] = between(3.5, 5.5)
    p["_jaw"] = between(0.54, 0.60)
    p["_bang_length"] = between(0.0, 1.0)
    p["_gaze"] = between(-0.6, 0.6)
    p["_clothes_shade"] = between(0.0, 1.0)
    p["_brow_angle"] = between(-0.15, 0.25)
    p["_lock_tips"] = np.stack([between(-1.0, 1.0) for _ in range(_N_LOCKS)], axis=1)
    p["_lock_drops"] = np.stack([between(0.0, 1.0) for _ in range(_N_LOCKS)], axis=1)
    return p


# ---------------------------------------------------------------------------------------------------
# 2. Geometry: polygons for a batch of faces, in the face frame (float32 throughout: half the work)
# ---------------------------------------------------------------------------------------------------

_F = np.float32
_FLIP = np.array([-1.0, 1.0], _F)


def _col(x):
    """Per-face values (N,) -> (N, 1), to broadcast over a polygon's points."""
    return np.asarray(x, dtype=_F).reshape(-1, 1)


def _lin(a, b, k):
    return np.linspace(a, b, k, dtype=_F)


def _table(values, index):
    """``values[index]`` as float32: a per-style number for every face."""
    return np.asarray(values, _F)[index]


def _ellipse(cx, cy, ax, ay, t0=0.0, t1=2 * np.pi, points=16, angle=None):
    """Points of ellipses (or of their arcs t0..t1, radians) for every face: (N, points, 2).

    ``angle`` (radians, per face) rotates each ellipse about its centre.
    """
    full = abs(abs(t1 - t0) - 2 * np.pi) < 1e-9
    t = np.linspace(t0, t1, points, endpoint=not full)
    x, y = _col(ax) * np.cos(t).astype(_F), _col(ay) * np.sin(t).astype(_F)
    if angle is not None:
        c, s = np.cos(_col(angle)), np.sin(_col(angle))
        x, y = c * x - s * y, s * x + c * y
    return np.stack([x + _col(cx), y + _col(cy)], axis=-1)


def _bezier(p0, p1, p2, points):
    """Quadratic Bézier curves from p0 to p2, pulled towards p1; each pi is (N, 2). -> (N, points, 2)."""
    t = _lin(0.0, 1.0, points)[None, :, None]
    return (1 - t) ** 2 * p0[:, None] + 2 * (1 - t) * t * p1[:, None] + t**2 * p2[:, None]


def _xy(x, y):
    """x and y (per face or scalar) -> (N, 2) points."""
    return np.stack(np.broadcast_arrays(np.asarray(x, _F), np.asarray(y, _F)), axis=-1)


def _poly(*points):
    """Points (N, 2) -> one polygon per face (N, len(points), 2)."""
    return np.stack(points, axis=1)


def _band(x, y_mid, half_thickness):
    """A filled stroke along the curve y_mid(x): (N, 2·len(x), 2). Cheaper than OpenCV's thick lines."""
    upper = np.stack(np.broadcast_arrays(x, y_mid - half_thickness), axis=-1)
    lower = np.stack(np.broadcast_arrays(x, y_mid + half_thickness), axis=-1)
    return np.concatenate([upper, lower[:, ::-1]], axis=1)


def _mirror(shape):
    """A shape designed on the right half of the face, plus its mirror image: (N, P, 2) -> (N, 2, P, 2)."""
    return np.stack([shape * _FLIP, shape], axis=1)


def _dilate(poly, d, max_miter=2.0):
    """Grow closed polygons (..., P, 2) outwards by d: each vertex moves along its corner's bisector.

    Filling the grown polygon in a dark line colour and then the polygon itself on top leaves a dark
    outline of width d all round: the look of line art, at a fraction of the cost of OpenCV's thick
    lines. Very sharp corners would shoot far out, so a vertex moves at most ``max_miter`` times d.
    """
    nxt, prv = np.roll(poly, -1, axis=-2), np.roll(poly, 1, axis=-2)

    def unit(vx, vy):
        length = np.sqrt(vx * vx + vy * vy) + _F(1e-6)
        return vx / length, vy / length

    ax, ay = unit(poly[..., 1] - prv[..., 1], prv[..., 0] - poly[..., 0])  # normal of the edge in
    bx, by = unit(nxt[..., 1] - poly[..., 1], poly[..., 0] - nxt[..., 0])  # normal of the edge out
    mx, my = unit(ax + bx, ay + by)  # the corner's bisector
    reach = d / np.maximum(mx * bx + my * by, _F(1.0 / max_miter))
    # The sign of the shoelace area says on which side of its edges a polygon's outside lies.
    area = np.sum(poly[..., 0] * nxt[..., 1] - nxt[..., 0] * poly[..., 1], axis=-1, keepdims=True)
    reach = reach * np.sign(area)
    return poly + np.stack([mx * reach, my * reach], axis=-1)


def _group(*shapes):
    """Stack shapes (N, k_i, P_i, 2) into one (N, Σk_i, max P_i, 2) array for a single OpenCV call.

    Shorter polygons are padded by repeating their last point, which changes nothing when filled.
    Only shapes of one colour that never overlap may share a call: OpenCV fills overlaps even-odd.
    """
    width = max(s.shape[2] for s in shapes)
    padded = [
        np.concatenate([s, np.repeat(s[:, :, -1:], width - s.shape[2], axis=2)], axis=2)
        for s in shapes
    ]
    return np.concatenate(padded, axis=1)


def _geometry(p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """All polygons of a batch of faces, in the face frame: name -> (N, polygons, points, 2).

    Each part of the face is designed by one of the functions below, in the order of their section
    comments; this one works out the measures they share, adds the dark outlines (grown copies, see
    ``_dilate``) and merges the shapes that one OpenCV call can draw together.
    """
    W = p["face_width"]
    chin = W * p["_jaw"]  # depth of the chin below the eye line
    v = p["_hair_volume"]
    rx, ry = W / 2 + v, 0.66 * W + v + 1.5  # the hair dome around the skull
    face = _face_outline(W, chin)
    neck, shoulders = _neck_and_shoulders(W, chin)
    back, tails, ties = _back_hair(p, chin, rx, ry)
    zig = _bangs_zigzag(p)
    front = _front_hair(p, chin, rx, ry, zig)
    ew, eh, ex, tilt = _eye_measures(p)
    lid_cover, lash, lower_lash = _eyelids(p, ew, eh, ex, tilt)
    g = {
        "neck": neck,
        "ties": ties,
        "strands": _strands(zig),
        "shine": _shine(rx, ry),
        **_eyeballs(p, ew, eh, ex, tilt),
        "lid_cover": lid_cover,
        "lash": lash,
        "brows": _brows(p, ew, eh, ex),
        "tongue": _tongue(p, chin),
        "blush": _blush(W, ew, eh, ex),
        "shoulders": shoulders[:, None],
    }  # no outline: the clothes always contrast with the background
    for name, shape in (("face", face), ("back_hair", back), ("front_hair", front)):
        g[name] = shape[:, None]
        g[name + "_rim"] = _dilate(shape, _RIM)[:, None]
    g["tails"], g["tails_rim"] = tails, _dilate(tails, _RIM)
    # Merged calls, one colour and never overlapping: the bangs' shadow and the nose; the lower
    # lashes and the mouth.
    g["shadows"] = _group(_bangs_shadow(W, zig)[:, None], _nose(chin)[:, None])
    g["lines"] = _group(lower_lash, _mouth(p, chin))
    return g


# --- face: rounded forehead and cheeks, then a jaw converging on a pointed chin --------------------


def _face_outline(W, chin):
    """The skin's outline, one polygon per face: round cheeks narrowing to a pointed anime chin."""
    half, zero = W / 2, np.zeros(len(W), _F)
    upper = _ellipse(0, 1.5, half, 0.66 * W + 1.5, 0.0, -np.pi, points=9)  # right, over, left
    jaw_l = _bezier(_xy(-half, 1.5), _xy(-half, 1.5 + 0.62 * (chin - 1.5)), _xy(zero, chin), 6)
    jaw_r = _bezier(_xy(zero, chin), _xy(half, 1.5 + 0.62 * (chin - 1.5)), _xy(half, 1.5), 6)
    return np.concatenate([upper, jaw_l[:, 1:], jaw_r[:, 1:-1]], axis=1)


# --- neck (in shade under the chin) and shoulders --------------------------------------------------


def _neck_and_shoulders(W, chin):
    """The neck (shaded under the chin) and the shoulders: the body the head sits on."""
    nw, zero = 0.2 * W, np.zeros(len(W), _F)
    neck = _poly(
        _xy(-nw, chin - 6),
        _xy(nw, chin - 6),
        _xy(nw, chin + 8),
        _xy(zero, chin + 11),
        _xy(-nw, chin + 8),
    )[:, None]
    return neck, _ellipse(0, chin + 17, 0.98 * W, 10.0, points=12)


# --- back hair: one outline per face, the dome plus style-dependent sides --------------------------


def _spikes(style):
    """Factors (N, 13, 1) that push every other dome point 20 % out for spiky hair (style 3)."""
    spiky = (style == 3)[:, None] * (np.arange(13) % 2 == 1) * _F(0.2)
    return 1 + spiky[..., None]


def _back_hair(p, chin, rx, ry):
    """Hair behind the head (dome and sides), twin tails and ties: the style's silhouette."""
    style, half = p["hair_style"], p["face_width"] / 2
    # Per hair style: how far below the eye line the side hair reaches, and how much it flares out.
    side_len = _table([0.85, 2.9, 0.55, 0.2], style) * chin
    flare = _table([0.8, 3.0, 0.0, -1.0], style)
    dome = _ellipse(0, 0, rx, ry, 0.0, -np.pi, points=13) * _spikes(style)
    left_side = _poly(
        _xy(-rx - 0.3 * flare, 0.45 * side_len),
        _xy(-rx - flare, side_len - 1.5),
        _xy(-rx - flare + 2.5, side_len),
        _xy(-half + 3.0, side_len - 0.5),
    )
    back = np.concatenate([dome, left_side, (left_side * _FLIP)[:, ::-1]], axis=1)
    # Twin tails (hair style 2 only): long ellipses hanging from the sides of the head, tied at the top.
    top_y, bottom_y = -0.45 * ry, chin + 11
    tail = _ellipse(
        rx + 3.2, (top_y + bottom_y) / 2, 4.6, (bottom_y - top_y) / 2, points=12, angle=-0.18
    )
    ties = _mirror(_ellipse(rx + 0.2, top_y + 2.0, 1.9, 1.5, points=8, angle=0.5))
    return back, _mirror(tail), ties


# --- front hair: bangs over the forehead and side locks framing the face, as ONE polygon -----------


def _bangs_zigzag(p):
    """The bangs' lower edge, tips and notches in turn (N, 2·_N_LOCKS - 1, 2): used 3 times."""
    style, half = p["hair_style"], p["face_width"] / 2
    # Bangs: tips between the brows and the eye tops, notches 3-6 pixels higher; the outer tips hang
    # lower to frame the face. Spiky hair gets shorter, sharper locks.
    eye_h = p["eye_size"] * 1.15
    tip_base = -0.5 * eye_h - 1.0 - 3.0 * p["_bang_length"] - _F(1.5) * (style == 3)
    xs = ((np.arange(_N_LOCKS) + 0.5) / _N_LOCKS * 2 - 1).astype(_F)  # -0.8 .. 0.8
    tip_x = _col(half - 1.0) * xs + 0.9 * p["_lock_tips"]
    tip_y = _col(tip_base) + 1.6 * p["_lock_drops"] + _F(2.0) * (np.abs(xs) > 0.7)
    tip_y = np.minimum(tip_y, _col(-0.5 * eye_h + 0.3))  # never over the eyes
    notch_x = (tip_x[:, 1:] + tip_x[:, :-1]) / 2
    notch_y = np.minimum(tip_y[:, 1:], tip_y[:, :-1]) - _col(_table([3.8, 3.8, 3.8, 5.5], style))
    zig = np.empty((len(half), 2 * _N_LOCKS - 1, 2), _F)
    zig[:, 0::2, 0], zig[:, 0::2, 1] = tip_x, tip_y
    zig[:, 1::2, 0], zig[:, 1::2, 1] = notch_x, notch_y
    return zig


def _front_hair(p, chin, rx, ry, zig):
    """Dome, side locks and bangs as ONE polygon over the face: one fill and one outline."""
    style, half = p["hair_style"], p["face_width"] / 2
    front_dome = _ellipse(0, 0, rx - 0.4, ry - 0.4, 0.12, -np.pi - 0.12, points=13) * _spikes(style)
    # The left lock is walked down its outer edge to the tip and back up its inner edge.
    lock_len = _table([0.8, 1.0, 0.75, 0.15], style) * chin + _table([0, 10, 0, 0], style)
    lock_l = _poly(
        _xy(-half - 2.0, 0.5 * lock_len),
        _xy(-half - 0.6, lock_len),
        _xy(-half + 1.3, 0.45 * lock_len),
        _xy(-half + 2.6, -0.40 * p["face_width"]),
    )
    return np.concatenate([front_dome, lock_l, zig, (lock_l * _FLIP)[:, ::-1]], axis=1)


def _bangs_shadow(W, zig):
    """The bangs' thin shadow on the forehead: the zigzag moved down, closed high above."""
    half = W / 2
    return np.concatenate(
        [
            _xy(-half + 1, -0.6 * W)[:, None],
            zig + np.array([0, 1.0], _F),
            _xy(half - 1, -0.6 * W)[:, None],
        ],
        axis=1,
    )


def _strands(zig):
    """Short dark strokes from each notch of the bangs up into the hair, so it reads as locks."""
    notch = zig[:, 1::2]
    return np.stack([notch, np.stack([notch[..., 0] * 0.85, notch[..., 1] - 4.0], axis=-1)], axis=2)


def _shine(rx, ry):
    """The hair's highlight: a crescent with a sawtooth lower edge, as anime hair shine is drawn."""
    outer_arc = _ellipse(0, 0, 0.80 * rx, 0.80 * ry, -0.33 * np.pi, -0.67 * np.pi, points=9)
    inner_arc = _ellipse(0, 0, 0.74 * rx, 0.74 * ry, -0.67 * np.pi, -0.33 * np.pi, points=9)
    inner_arc = inner_arc * (1 - _F(0.06) * (np.arange(9) % 2).astype(_F))[None, :, None]
    return np.concatenate([outer_arc, inner_arc], axis=1)[:, None]


# --- eyes: designed on the right (outer corner at +x), mirrored for the left -----------------------


def _eye_measures(p):
    """Eye width, height, centre x and corner tilt: the measures eyes, brows and blush share."""
    ew = p["eye_size"]
    eyes = p["eye_style"]
    eh = ew * _table([1.2, 0.95, 1.1], eyes)
    ex = p["eye_spacing"] / 2
    tilt = _table([0.0, -0.2, 0.0], eyes)  # sharp eyes: outer corners raised
    return ew, eh, ex, tilt


def _eyeballs(p, ew, eh, ex, tilt):
    """Sclera, iris (darker under the lid), pupil and highlights of both eyes: the face's focus."""
    sclera = _mirror(_ellipse(ex, 0, ew / 2, eh / 2, points=14, angle=tilt))
    gaze, icy = p["_gaze"], 0.06 * eh  # both irises look the same way, so they are not mirrored
    iris_x = [-ex + gaze, ex + gaze]
    iris = np.stack([_ellipse(x, icy, 0.40 * ew, 0.46 * eh, points=12) for x in iris_x], axis=1)
    # The iris's upper half is darker: the shade cast by the upper lid.
    iris_top = np.stack(
        [_ellipse(x, icy, 0.40 * ew, 0.46 * eh, np.pi, 2 * np.pi, points=7) for x in iris_x], axis=1
    )
    pupil = np.stack(
        [_ellipse(x, icy + 0.04 * eh, 0.17 * ew, 0.25 * eh, points=8) for x in iris_x], axis=1
    )
    big, small = 0.17 * ew, 0.075 * ew  # the light comes from the upper left, for both eyes
    highlights = _group(
        np.stack(
            [_ellipse(x - 0.17 * ew, icy - 0.2 * eh, big, big, points=7) for x in iris_x], axis=1
        ),
        np.stack(
            [_ellipse(x + 0.18 * ew, icy + 0.24 * eh, small, small, points=5) for x in iris_x],
            axis=1,
        ),
    )
    return {
        "sclera": sclera,
        "iris": iris,
        "iris_top": iris_top,
        "pupil": pupil,
        "highlights": highlights,
    }


def _eyelids(p, ew, eh, ex, tilt):
    """Skin over the upper lid, upper lash with its flick, lower lash: the eye's expression."""
    # Upper lid: the top edge of the eye for open eyes, a flatter and lower line for sleepy eyes.
    # Above it the skin is painted again (which also trims iris poking out); along it runs a thick
    # lash stroke that ends in a flick at the outer corner.
    eyes = p["eye_style"]
    lx = _lin(-1.0, 1.0, 9)
    sx = _col(ew / 2 + 0.3) * lx
    arch = np.sqrt(np.clip(1 - lx**2, 0, 1))
    lid_open = -_col(eh / 2) * arch
    lid_sleepy = -_col(0.02 * eh) - _col(0.18 * eh) * arch
    lid_y = np.where(_col(eyes == 2), lid_sleepy, lid_open) + sx * _col(tilt)
    lid = np.stack([sx + _col(ex), lid_y], axis=-1)
    cover_top = np.stack(np.broadcast_arrays(lid[:, ::-1, 0], -_col(eh / 2 + 2.0)), axis=-1)
    lid_cover = _mirror(np.concatenate([lid, cover_top], axis=1))
    lash_half = _col(_table([0.7, 0.85, 0.7], eyes))
    lash = _band(sx + _col(ex), lid_y - 0.6 * lash_half, lash_half * (0.4 + 0.6 * arch))
    flick = _poly(
        _xy(ex + ew / 2 + 1.6, lid_y[:, -1] - 1.2), _xy(ex + ew / 2 - 0.6, lid_y[:, -1] + 0.4)
    )
    bx = _lin(0.1, 0.85, 4)
    low_y = _col(eh / 2) * np.sqrt(1 - bx**2) + _col(ew / 2) * bx * _col(tilt)
    lower_lash = _mirror(_band(_col(ex) + _col(ew / 2) * bx, low_y + 0.5, 0.35))
    return lid_cover, _mirror(np.concatenate([lash[:, :9], flick, lash[:, 9:]], axis=1)), lower_lash


# --- brows: thin arches above the eyes (drawn over the bangs, as anime does) -----------------------


def _brows(p, ew, eh, ex):
    """Thin arches above the eyes, slanted by ``_brow_angle``: over the bangs, as anime does."""
    bxs = _lin(-0.35, 0.45, 5)
    brow_y = (
        _col(-eh / 2 - 2.6)
        - 0.8 * (1 - (2 * bxs - 0.1) ** 2)
        + _col(p["_brow_angle"]) * _col(ew) * bxs
    )
    return _mirror(_band(_col(ex) + _col(ew) * bxs, brow_y, 0.4))


# --- nose, mouth, blush ----------------------------------------------------------------------------


def _nose(chin):
    """A small shaded triangle, all the nose an anime face needs."""
    ny = 0.45 * chin
    return _poly(_xy(0.2, ny - 0.6), _xy(0.9, ny + 0.6), _xy(-0.3, ny + 0.5))


def _mouth(p, chin):
    """Each face's mouth (smile, open D or cat ω) in two polygon slots (N, 2, P, 2): one layout."""
    mw, my = p["mouth_width"], 0.72 * chin
    mx = _lin(-1.0, 1.0, 7)
    smile = _band(_col(mw / 2) * mx, _col(my) + 0.9 * (1 - mx**2), 0.42)
    opened = np.concatenate(
        [
            np.stack(
                np.broadcast_arrays(_col(mw / 2) * mx, _col(my) - 0.5 - 0.2 * (1 - mx**2)), axis=-1
            ),
            np.stack(
                np.broadcast_arrays(
                    _col(mw / 2) * mx[::-1],
                    _col(my) + _col(0.6 * mw + 0.3) * np.sqrt(1 - mx[::-1] ** 2),
                ),
                axis=-1,
            ),
        ],
        axis=1,
    )
    cx = _lin(-1.0, 1.0, 5)
    cw = 1.25 * mw  # the ω is wider than the other mouths: its two arcs are small
    arc_y = _col(my) + _col(0.3 * cw) * np.sqrt(1 - cx**2)
    cat = np.stack(
        [
            _band(_col(-cw / 4) + _col(cw / 4) * cx, arc_y, 0.34),
            _band(_col(cw / 4) + _col(cw / 4) * cx, arc_y, 0.34),
        ],
        axis=1,
    )
    # Two polygon slots per face (the cat mouth needs both; the others leave one empty), so that
    # every face has the same array layout and one call draws all the mouths with the lower lashes.
    nowhere = np.full_like(smile, _NOWHERE)
    mouths = _group(np.stack([smile, nowhere], 1), np.stack([opened, nowhere], 1), cat)
    pick = 2 * p["mouth_style"][:, None] + np.arange(2)
    return np.take_along_axis(mouths, pick[:, :, None, None], axis=1)


def _tongue(p, chin):
    """The tongue, a half ellipse at the bottom of the open mouth (drawn for mouth style 1 only)."""
    mw, my = p["mouth_width"], 0.72 * chin
    return _ellipse(0.1 * mw, my + 0.5 * mw + 0.2, 0.28 * mw, 0.2 * mw, np.pi, 2 * np.pi, points=7)[
        :, None
    ]


def _blush(W, ew, eh, ex):
    """Darker patches on both cheeks (blushing faces only), clear of the jaw and side locks."""
    blush_w = 0.33 * ew + 0.6  # half width; the patch stays clear of the jaw and the side locks
    return _mirror(
        _ellipse(
            np.minimum(ex + 0.1 * ew, W / 2 - 2.2 - blush_w), 0.5 * eh + 3.0, blush_w, 1.5, points=8
        )
    )


# ---------------------------------------------------------------------------------------------------
# 3. Rasterisation: OpenCV fills the polygons, face after face, layer after layer
# ---------------------------------------------------------------------------------------------------

(
    _BG,
    _HAIR,
    _HAIR_LINE,
    _SKIN,
    _SKIN_SHADOW,
    _LINE,
    _BLUSH,
    _SCLERA,
    _IRIS,
    _IRIS_TOP,
    _PUPIL,
    _HIGHLIGHT,
    _LASH,
    _TONGUE,
    _CLOTHES,
    _SHINE,
    _BROW,
    _TIE,
) = range(18)

# Painter's order: (shape, colour, which faces; None = all). Later layers cover earlier ones.
_LAYERS = (
    ("tails_rim", _HAIR_LINE, "twin_tails"),
    ("tails", _HAIR, "twin_tails"),
    ("back_hair_rim", _HAIR_LINE, None),
    ("back_hair", _HAIR, None),
    ("shoulders", _CLOTHES, None),
    ("neck", _SKIN_SHADOW, None),
    ("face_rim", _LINE, None),
    ("face", _SKIN, None),
    ("shadows", _SKIN_SHADOW, None),  # under the bangs, and the nose
    ("blush", _BLUSH, "blush"),
    ("sclera", _SCLERA, None),
    ("iris", _IRIS, None),
    ("iris_top", _IRIS_TOP, None),
    ("pupil", _PUPIL, None),
    ("highlights", _HIGHLIGHT, None),
    ("lid_cover", _SKIN, "sleepy_eyes"),
    ("lash", _LASH, None),
    ("lines", _LINE, None),  # lower lashes and the mouth
    ("tongue", _TONGUE, "open_mouth"),
    ("front_hair_rim", _HAIR_LINE, None),
    ("front_hair", _HAIR, None),
    ("strands", _HAIR_LINE, None),  # drawn as lines, not filled
    ("shine", _SHINE, None),
    ("brows", _BROW, None),
    ("ties", _TIE, "twin_tails"),
)


def _palette(p: dict[str, np.ndarray]) -> np.ndarray:
    """Grey level of every colour (``_BG``, ``_HAIR``, ...) for every face: int (N, 18).

    Hair never gets as light as pale skin, so bangs stay readable on the forehead.
    """
    n = len(p["hair_shade"])
    hair = 22 + 178 * p["hair_shade"]
    skin = 178 + 62 * p["skin_shade"]
    iris = 35 + 145 * p["iris_shade"]
    lut = np.zeros((n, 18), np.float32)
    lut[:, _BG] = 25 + 210 * p["background_shade"]
    lut[:, _HAIR] = hair
    lut[:, _HAIR_LINE] = hair * 0.35
    lut[:, _SHINE] = hair + (255 - hair) * 0.33
    lut[:, _BROW] = np.minimum(hair * 0.35, 70.0)
    lut[:, _TIE] = np.where(
        p["hair_shade"] < 0.5, 225.0, 30.0
    )  # a bright tie on dark hair, and back
    lut[:, _SKIN] = skin
    lut[:, _SKIN_SHADOW] = skin * 0.86
    lut[:, _LINE] = skin * 0.33
    lut[:, _BLUSH] = skin - 36
    lut[:, _TONGUE] = skin * 0.6
    lut[:, _IRIS] = iris
    lut[:, _IRIS_TOP] = iris * 0.55
    lut[:, _SCLERA], lut[:, _PUPIL], lut[:, _HIGHLIGHT], lut[:, _LASH] = 250, 12, 255, 15
    # Clothes: 50 to 110 grey levels away from the background, darker on light backgrounds.
    bg = lut[:, _BG]
    lut[:, _CLOTHES] = np.where(
        bg > 130, bg - 50 - 60 * p["_clothes_shade"], bg + 50 + 60 * p["_clothes_shade"]
    )
    return np.clip(np.rint(lut), 0, 255).astype(int)


def _to_canvas(
    g: dict[str, np.ndarray], p: dict[str, np.ndarray], scale: float
) -> dict[str, np.ndarray]:
    """Face frame -> canvas pixels in OpenCV fixed point (int32): tilt, shift to position, scale.

    All shapes are moved in one go (a single (N, points, 2) array), then cut apart again.
    """
    n = len(p["tilt_degrees"])
    names = list(g)
    flat = np.concatenate([g[k].reshape(n, -1, 2) for k in names], axis=1)
    t = np.deg2rad(p["tilt_degrees"])
    one = _F(scale * (1 << _SHIFT))
    c, s = _col(np.cos(t) * one), _col(np.sin(t) * one)
    cx = _col((IMAGE_SIZE / 2 + p["offset_x"]) * one)
    cy = _col((IMAGE_SIZE / 2 - 1.0 + p["offset_y"]) * one)
    x, y = flat[..., 0], flat[..., 1]
    moved = np.empty(flat.shape, np.int32)
    moved[..., 0] = np.rint(c * x - s * y + cx)
    moved[..., 1] = np.rint(s * x + c * y + cy)
    out, at = {}, 0
    for k in names:
        count = int(np.prod(g[k].shape[1:-1]))
        out[k] = moved[:, at : at + count].reshape(g[k].shape)
        at += count
    return out


def _shrink(img: np.ndarray, factor: int) -> np.ndarray:
    """Average factor×factor blocks. OpenCV halves very fast, so a 4× shrink is done as two halvings."""
    while factor % 2 == 0:
        img = cv2.resize(img, (img.shape[1] // 2, img.shape[0] // 2), interpolation=cv2.INTER_AREA)
        factor //= 2
    if factor > 1:
        img = cv2.resize(
            img, (img.shape[1] // factor, img.shape[0] // factor), interpolation=cv2.INTER_AREA
        )
    return img


def _draw_block(p: dict[str, np.ndarray], size: int, canvas: np.ndarray) -> np.ndarray:
    """Draw a block of faces (at most ``_CHUNK``), each on its own square of the tall ``canvas``."""
    n = len(p["face_width"])
    side = size * SUPERSAMPLE
    scale = side / IMAGE_SIZE  # canvas pixels per face-frame unit
    thin = max(1, int(round(0.4 * scale)))  # strand lines: about 0.4 output pixel wide
    g = _to_canvas(_geometry(p), p, scale)
    palette = _palette(p).tolist()
    who = {
        "twin_tails": (p["hair_style"] == 2).tolist(),
        "blush": (p["blush"] == 1).tolist(),
        "open_mouth": (p["mouth_style"] == 1).tolist(),
        "sleepy_eyes": (p["eye_style"] == 2).tolist(),
    }
    layers = [(g[name], colour, who[faces] if faces else None) for name, colour, faces in _LAYERS]
    strands = g["strands"]
    fill, lt = cv2.fillPoly, cv2.LINE_8
    canvas = canvas[: n * side]
    for i in range(n):
        c, grey = canvas[i * side : (i + 1) * side], palette[i]
        c.fill(grey[_BG])
        for shape, colour, only in layers:
            if only is None or only[i]:
                if shape is strands:
                    cv2.polylines(c, shape[i], False, grey[colour], thin, lt, _SHIFT)
                else:
                    fill(c, shape[i], grey[colour], lt, _SHIFT)
    return _shrink(canvas, SUPERSAMPLE).reshape(n, size, size)


def _draw_here(
    params: dict[str, np.ndarray], size: int, out: np.ndarray | None = None
) -> np.ndarray:
    """Draw all faces in this process, block after block, reusing one canvas (into ``out`` if
    given, so that a caller's array is filled without a copy)."""
    n = len(params["face_width"])
    side = size * SUPERSAMPLE
    canvas = np.empty((min(n, _CHUNK) * side, side), np.uint8)
    out = np.empty((n, size, size), np.uint8) if out is None else out
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        out[start:stop] = _draw_block({k: v[start:stop] for k, v in params.items()}, size, canvas)
    return out


def _draw_split(params: dict[str, np.ndarray], size: int) -> np.ndarray:
    """Draw the first faces here while a helper Python process draws the rest: about 2× faster.

    Why a plain subprocess and not ``multiprocessing``? Its "spawn" start re-runs a learner's script
    when that script lacks an ``if __name__ == "__main__":`` guard, and "fork" is unsafe once
    TensorFlow's threads are running. The helper only imports this module; the parameters go in
    through its stdin (pickled, written by a thread) and the pixels come back through its stdout,
    read straight into their place in the result: 20,000 faces then cost their 63 MB and no
    second copy. Should anything go wrong with the helper, the faces are simply drawn here: the
    images are identical either way.
    """
    n = len(params["face_width"])
    mine = int(n * 0.55)  # the helper first spends a few tenths of a second starting Python
    theirs = {k: v[mine:] for k, v in params.items()}
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(
            [str(Path(__file__).resolve().parents[1])]
            + [x for x in [os.environ.get("PYTHONPATH")] if x]
        ),
    )
    try:
        helper = subprocess.Popen(
            [sys.executable, "-c", "import course_utils.faces as f; f._helper_main()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    except (OSError, ValueError):
        return _draw_here(params, size)
    out = np.empty((n, size, size), np.uint8)
    feeder = threading.Thread(target=_feed, args=(helper.stdin, pickle.dumps((theirs, size))))
    feeder.start()  # the feeding thread waits on the pipe, so this process can draw meanwhile
    try:
        _draw_here({k: v[:mine] for k, v in params.items()}, size, out=out[:mine])
        received = _read_into(helper.stdout, out[mine:])
        helper.wait()
    finally:
        if sys.exc_info()[0] is not None:  # interrupted: do not leave the helper behind
            helper.kill()
        feeder.join()
        helper.stdout.close()
    if helper.returncode != 0 or received != out[mine:].nbytes:
        _draw_here(theirs, size, out=out[mine:])
    return out


def _feed(pipe, payload: bytes) -> None:
    """Write ``payload`` to ``pipe`` and close it; a helper that died early is not an error here
    (``_draw_split`` sees its missing pixels and draws them itself)."""
    with contextlib.suppress(OSError):  # BrokenPipeError included
        try:
            pipe.write(payload)
        finally:
            pipe.close()


def _read_into(stream, array: np.ndarray) -> int:
    """Fill the contiguous ``array`` from ``stream`` until it is full or the stream ends; the
    number of bytes read."""
    view = memoryview(array).cast("B")
    received = 0
    while received < len(view):
        count = stream.readinto(view[received:])
        if not count:
            break
        received += count
    return received


def _helper_main() -> None:
    """Entry point of the helper process started by ``_draw_split``."""
    params, size = pickle.load(sys.stdin.buffer)
    sys.stdout.buffer.write(_draw_here(params, size).tobytes())
    sys.stdout.buffer.flush()


def draw_faces(params: dict[str, np.ndarray], size: int = IMAGE_SIZE) -> np.ndarray:
    """Paint the faces described by ``params`` (as from ``sample_face_params``): uint8 (n, size, size).

    Public so that experiments (and the tests) can change one attribute and redraw the same faces.

    Painter's order (``_LAYERS``): background, back hair, shoulders, neck, face, eyes and mouth, front
    hair, brows. Polygons are filled without OpenCV's own anti-aliasing (``LINE_8``): after 4×4
    supersampling the averaging already gives every edge 16 grey levels, at a fraction of the cost.
    Large batches are shared with a helper process when the machine has a second core. Last, every
    face is softened (``SOFTEN_SIGMA``).
    """
    n = len(params["face_width"])
    if n >= _SPLIT_MIN and _cores() >= 2:
        faces = _draw_split(params, size)
    else:
        faces = _draw_here(params, size)
    return _soften(faces, SOFTEN_SIGMA * size / IMAGE_SIZE)


def _soften(faces: np.ndarray, sigma: float) -> np.ndarray:
    """Blur each face in place by ``sigma`` pixels (``SOFTEN_SIGMA`` says why)."""
    for face in faces:
        cv2.GaussianBlur(face, (0, 0), sigma, dst=face, borderType=cv2.BORDER_REFLECT)
    return faces


def _cores() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def render_faces(
    n: int, seed: int = 0, size: int = IMAGE_SIZE
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Draw ``n`` procedural anime faces.

    Returns the images, uint8 ``(n, size, size)`` with 0 black and 255 white, and a dict with one
    array of length ``n`` per entry of ``ATTRIBUTES`` (float32 for continuous attributes, int64 for
    categorical ones; see ``CONTINUOUS_RANGES`` and ``CATEGORIES``). Deterministic: the same
    ``(n, seed)`` always gives the same faces, and the first k faces do not depend on ``n``.
    A ``size`` other than 56 scales the whole drawing; attributes stay in 56-pixel units.
    """
    if n < 0:
        raise ValueError(_say("negative count", n=n))
    if size < 8:
        raise ValueError(_say("size too small", size=size))
    params = sample_face_params(n, seed)
    return draw_faces(params, size), {name: params[name].copy() for name in ATTRIBUTES}


def category_shares(values, count):
    """Share of each of the ``count`` values of a categorical attribute among ``values`` (sums to 1).

    Used to compare how often real and painted faces show each style (lesson 8, ``metrics``)."""
    values = np.asarray(values, np.int64)
    return np.bincount(values, minlength=count)[:count] / max(len(values), 1)
