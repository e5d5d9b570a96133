"""Answer checks for the end-of-lesson exercises.

Each ``check_*`` function takes the learner's answer, prints a friendly verdict and returns True or
False. A wrong answer gets a hint that points back to the idea, never the answer itself.
Sections are grouped by lesson.
"""

import numpy as np


def _verdict(ok, right, hint):
    print(("✅ Correct! " + right) if ok else ("❌ Not yet. " + hint))
    return bool(ok)


# --- Lesson 0: the story ---------------------------------------------------------------------

# --- Lesson 1: data shaping ------------------------------------------------------------------

# --- Lesson 2: the generator -----------------------------------------------------------------

# --- Lesson 3: the discriminator -------------------------------------------------------------

# --- Lesson 4: losses ------------------------------------------------------------------------

# --- Lesson 5: training ----------------------------------------------------------------------

# --- Lesson 6: watching it learn -------------------------------------------------------------

# --- Lesson 7: improving the recipe ----------------------------------------------------------
