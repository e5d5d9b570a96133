"""The one way the package warns: a line on stderr that says what was mended or could not be."""

import sys

from course_utils.language import Messages

_say = Messages(__name__, {"warning": ("warning: {message}", "警告：{message}")})


def notice(message):
    """Say in one line what was mended or could not be: damage is never passed over in silence."""
    print(_say("warning", message=message), file=sys.stderr, flush=True)
