"""The one way the package warns: a line on stderr that says what was mended or could not be."""

import sys


def notice(message):
    """Say in one line what was mended or could not be: damage is never passed over in silence."""
    print(f"warning: {message}", file=sys.stderr, flush=True)
