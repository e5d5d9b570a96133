"""The language the course speaks: English, or Chinese with ``COURSE_LANG=zh`` or ``use_language("zh")``.

Every sentence a learner reads lives in a ``Messages`` table beside the code that says it, with its
English and its Chinese side by side, so a message cannot be added in one language only
(``tests/test_language.py`` fails on a missing half, and on a sentence said outside a table).
"""

import os
import re
import string

LANGUAGES = ("en", "zh")
NAMES = {"en": "English", "zh": "中文"}

_chosen = None
_TABLES = []


def _read(code):
    """'zh', 'zh_CN', 'zh-Hans', 'ZH' → 'zh'; 'en', 'en_US.UTF-8' → 'en'; anything else → None."""
    code = str(code or "").strip().lower()
    for language in LANGUAGES:
        if code == language or re.match(rf"{language}[-_.]", code):
            return language
    return None


def language():
    """The language chosen now: ``use_language``'s, else ``$COURSE_LANG``'s, else English."""
    if _chosen:
        return _chosen
    return _read(os.environ.get("COURSE_LANG")) or "en"


def use_language(code):
    """Speak ``code`` ('en' or 'zh') from now on in this Python process; the zh lessons call it (and
    ``fonts.use_cjk_font()``, so that the plots a lesson draws itself show Chinese too)."""
    global _chosen
    chosen = _read(code)
    if chosen is None:
        raise ValueError(f"use_language({code!r}): the course speaks 'en' (English) or 'zh' (中文)")
    _chosen = chosen
    return chosen


def check_environment():
    """A one-line complaint about a ``$COURSE_LANG`` the course cannot speak, or None."""
    value = os.environ.get("COURSE_LANG")
    if value and _read(value) is None:
        return (
            f"COURSE_LANG={value!r} is not a language the course speaks: use en or zh "
            f"(COURSE_LANG={value!r} 不是本课程支持的语言：请用 en 或 zh); speaking English"
        )
    return None


def fields_of(text):
    """The ``{names}`` a message fills in, so both languages can be checked to ask for the same ones."""
    return sorted({name for _, name, _, _ in string.Formatter().parse(text) if name is not None})


class Messages:
    """One module's sentences: ``{key: (english, chinese)}``. Call it with a key (and the fields the
    text names) to get the sentence in the language chosen now.

    >>> say = Messages("example", {"hello": ("Hello, {name}!", "你好，{name}！")})
    >>> say("hello", name="Ada")
    'Hello, Ada!'
    """

    def __init__(self, owner, entries):
        self.owner = owner
        self.entries = dict(entries)
        for key, pair in self.entries.items():
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise ValueError(f"{owner}: message {key!r} needs (english, chinese), got {pair!r}")
        _TABLES.append(self)

    def __call__(self, key, **fields):
        english, chinese = self.entries[key]
        return (chinese if language() == "zh" else english).format(**fields)

    def both(self, key, **fields):
        """The message in both languages, English first (for tests and for the glossary)."""
        return tuple(text.format(**fields) for text in self.entries[key])

    def __contains__(self, key):
        return key in self.entries


def tables():
    """Every Messages table made so far (import the modules first)."""
    return list(_TABLES)
