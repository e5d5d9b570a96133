"""Chinese in the pictures: matplotlib ships no CJK font, so Chinese titles and labels would be boxes.

``use_cjk_font()`` finds Noto Sans CJK — the pip package ``noto-cjk-sans-otc`` (one OpenType
collection, a dependency of the course, so it works offline), else a system copy (Debian's
``fonts-noto-cjk``) — and adds its Simplified Chinese face after the usual family, as a fallback:
Latin letters, digits and the minus sign still come from DejaVu Sans, so English pictures look
exactly as before, and only the characters DejaVu lacks come from Noto Sans CJK SC. The collection
holds the Japanese, Korean, Simplified and Traditional Chinese faces; the SC one is asked for by
name, so 直 and 骨 take their mainland forms.

``viz``, ``story`` and ``widgets`` call it before they draw; it is cheap after the first call.
"""

from pathlib import Path

from course_utils.language import Messages, language
from course_utils.notices import notice

_say = Messages(
    __name__,
    {
        "no cjk font": (
            "no Chinese font found: Chinese text in the pictures shows as boxes; install one with "
            "`pip install noto-cjk-sans-otc` (or `apt install fonts-noto-cjk`) and restart the kernel",
            "没有找到中文字体：图中的中文会显示成方框；请用 `pip install noto-cjk-sans-otc`"
            "（或 `apt install fonts-noto-cjk`）安装，然后重启内核",
        ),
    },
)

FAMILY = "Noto Sans CJK SC"
"""The face used for Chinese: Simplified Chinese glyph forms."""

PACKAGE = "noto_cjk_sans_otc"
FONT_FILE = "NotoSansCJK-Regular.ttc"

#: Where Linux distributions put the same collection (Debian/Ubuntu, Fedora, Arch).
SYSTEM_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)

_found = None  # None: not looked for yet; then True or False
_warned = False


def package_font_file():
    """The collection the pip package ``noto-cjk-sans-otc`` installed, or None without it."""
    try:
        from importlib.resources import files

        path = Path(str(files(PACKAGE) / FONT_FILE))
    except (ImportError, TypeError):
        return None
    return path if path.is_file() else None


def _known(font_manager):
    return any(entry.name == FAMILY for entry in font_manager.fontManager.ttflist)


def _find():
    """Make ``FAMILY`` known to matplotlib: the pip package's file, else a system one (matplotlib
    may have found it already). Returns whether it is known."""
    from matplotlib import font_manager

    path = package_font_file()
    if path is not None and not any(
        Path(entry.fname) == path for entry in font_manager.fontManager.ttflist
    ):
        font_manager.fontManager.addfont(str(path))
    if _known(font_manager):
        return True
    for system in map(Path, SYSTEM_FILES):
        if system.is_file():
            font_manager.fontManager.addfont(str(system))
            if _known(font_manager):
                return True
    return False


def use_cjk_font():
    """Let matplotlib draw Chinese: add Noto Sans CJK SC after the families ``font.family`` names.

    Looks for the font once; later calls only put it back in ``font.family`` if something (a
    style, ``rcdefaults()``) took it out. Without the font, and with Chinese chosen, says once what
    to install. Returns whether the font is in use."""
    global _found, _warned
    from matplotlib import rcParams

    if _found is None:
        _found = _find()
    if not _found:
        if language() == "zh" and not _warned:
            _warned = True
            notice(_say("no cjk font"))
        return False
    families = list(rcParams["font.family"])
    if FAMILY not in families:
        rcParams["font.family"] = [*families, FAMILY]
    return True
