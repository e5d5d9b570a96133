"""A run folder: everything one training run leaves behind, read, written and mended in one place.

Every write is atomic, damage is mended where it can be and said in one line where it cannot, and a
folder that cannot be used raises ``RunFolderError`` with one line that says what to do. The files
and what is mended are listed in ``docs/DEVELOPING.md`` ("The run folder").
"""

import contextlib
import errno
import io
import json
import os
import re
import shutil
import socket
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; two trainings on one folder are not stopped there
    fcntl = None

from course_utils.atomic_write import atomic_write_text
from course_utils.notices import notice
from course_utils.presets import preset_from_dict

HISTORY_FIELDS = ["epoch", "gen_loss", "disc_loss", "seconds", "d_real", "d_fake"]
CHECKPOINT_FILE = re.compile(r"^ckpt-(\d+)\.(?:index|data-\d+-of-\d+)$")
FRAME_PATTERN = re.compile(r"epoch_(\d+)\.png$")  # frames/epoch_0001.png: see frame_path
DATA_SHARD = re.compile(r"^ckpt-\d+\.data-(\d+)-of-(\d+)$")


ANOTHER_FOLDER = "--run-dir on the command line, COURSE_RUNS_DIR in a notebook"
CHOOSE_ANOTHER = f"choose another run folder ({ANOTHER_FOLDER})"


class RunFolderError(ValueError):
    """A run folder that cannot be used as it is; the message (one line) names it and says what to do."""


class CheckpointMisfit(RunFolderError):
    """Whole checkpoints whose tensors do not fit the networks built now (other settings)."""


def describe_epochs(epochs):
    """``[1, 2, 3, 5]`` -> ``"epochs 1-3, 5"``; ``[4]`` -> ``"epoch 4"``."""
    epochs = sorted(epochs)
    spans = []
    for epoch in epochs:
        if spans and epoch == spans[-1][1] + 1:
            spans[-1][1] = epoch
        else:
            spans.append([epoch, epoch])
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
    return f"epoch{'s' if len(epochs) > 1 else ''} {text}"


class RunFolder:
    """The files of one run, by name. ``RunFolder("runs/classroom").history_path`` and so on."""

    def __init__(self, path):
        self.path = Path(path)

    config_path = property(lambda self: self.path / "config.json")
    history_path = property(lambda self: self.path / "history.csv")
    history_backup_path = property(lambda self: self.path / ".history.csv.bak")
    lock_path = property(lambda self: self.path / ".lock")
    frames_dir = property(lambda self: self.path / "frames")
    checkpoints_dir = property(lambda self: self.path / "checkpoints")
    gif_path = property(lambda self: self.path / "training.gif")

    def frame_path(self, epoch):
        return self.frames_dir / f"epoch_{epoch:04d}.png"

    # --- config -------------------------------------------------------------------------------
    def read_config(self):
        """The saved config.json as a dict, or None when the run has none yet."""
        if not self.config_path.exists():
            return None
        try:
            config = json.loads(self.config_path.read_text())
            problem = (
                None
                if isinstance(config, dict) and isinstance(config.get("preset"), dict)
                else "it names no preset"
            )
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            problem = str(error).replace("\n", " ")
        if problem:
            raise RunFolderError(
                f"{self.config_path}: not a readable config ({problem}); put back a copy of it, or "
                "delete it to resume with the settings given now (they are then not checked), or "
                + CHOOSE_ANOTHER
            ) from None
        return config

    def write_config(self, config):
        atomic_write_text(self.config_path, json.dumps(config, indent=2) + "\n")

    def preset(self):
        """The ``Preset`` this run was trained with."""
        config = self.read_config()
        if config is None:
            raise FileNotFoundError(
                f"'{self.path}' is not a run folder (no config.json): train first"
            )
        try:
            return preset_from_dict(config["preset"])
        except (TypeError, ValueError) as error:
            raise RunFolderError(
                f"{self.config_path}: its preset is incomplete ({error}); put back "
                "a copy of it, or " + CHOOSE_ANOTHER
            ) from None

    # --- history ------------------------------------------------------------------------------
    def read_history(self):
        """Rows of ``history.csv`` as dicts of numbers (empty cells become None), sorted by epoch.

        A damaged file is rebuilt from its copy ``.history.csv.bak``; a row with missing or
        unreadable fields is dropped, never kept. Either is reported in one line."""
        rows, note = self.history_rows()
        if note:
            notice(note)
        return rows

    def history_rows(self):
        """``(rows, note)``: ``read_history``'s rows, and a line that says what was mended or
        dropped (None when ``history.csv`` is whole)."""
        main, problem, exists = _parse_history(self.history_path)
        if problem is None and exists:
            return [main[e] for e in sorted(main)], None
        backup, _, _ = _parse_history(self.history_backup_path)
        if not exists:
            if not backup:
                return [], None  # no history yet
            problem = "is missing"
        rows = {**backup, **main}
        rebuilt = sorted(set(rows) - set(main))
        note = f"{self.history_path} {problem}; " + (
            f"{describe_epochs(rebuilt)} rebuilt from {self.history_backup_path.name}"
            if rebuilt
            else "no copy to rebuild it from"
        )
        return [rows[e] for e in sorted(rows)], note

    def refuse_if_checkpoints_were_removed(self):
        """A folder with frames or history rows of epoch 2 or later but no checkpoint is a finished
        or damaged run whose checkpoints were deleted (a kill only ever loses the first epoch's):
        training there would write over its history and mix two runs in one GIF."""
        if self.checkpoint_numbers():
            return
        frames = [
            int(m.group(1))
            for p in self.frames_dir.glob("epoch_*.png")
            if (m := FRAME_PATTERN.search(p.name))
        ]
        rows = self.history_rows()[0] if self.history_path.exists() else []
        last = max([row["epoch"] for row in rows] + frames, default=0)
        if last >= 2:
            what = f"history to epoch {last}, {len(frames)} frames"
            raise RunFolderError(
                f"{self.path} holds a run ({what}) but no checkpoints: were they deleted? Training "
                "here would write over it. Put the checkpoints back to resume, or move this folder "
                f"away (or choose another run folder: {ANOTHER_FOLDER}) "
                "to train afresh"
            )

    def history_until(self, last_epoch):
        """The history's rows up to ``last_epoch`` (the checkpoint's epoch: later rows belong to
        epochs that will be trained again); says in one line what was mended or is missing."""
        rows, note = self.history_rows()
        rows = [row for row in rows if row["epoch"] <= last_epoch]
        lost = sorted(set(range(1, last_epoch + 1)) - {row["epoch"] for row in rows})
        if lost:
            note = (
                f"{note}; " if note else f"{self.history_path}: "
            ) + f"no row for {describe_epochs(lost)}, which the plots will miss"
        if note:
            notice(note)
        return rows

    def write_history(self, rows):
        fields = list(HISTORY_FIELDS)
        for row in rows:
            fields += [k for k in row if k not in fields]
        out = io.StringIO()
        out.write(",".join(fields) + "\n")
        for row in rows:
            out.write(
                ",".join(
                    "" if row.get(k) is None else (str(row[k]) if k == "epoch" else f"{row[k]:.6g}")
                    for k in fields
                )
                + "\n"
            )
        # The copy is written second, so a kill between the two leaves history.csv the newer one.
        atomic_write_text(self.history_path, out.getvalue())
        atomic_write_text(self.history_backup_path, out.getvalue())

    # --- the folder itself: made, locked, tidied ------------------------------------------------
    def prepare(self):
        """Make the folder; a path that cannot be one raises ``RunFolderError`` naming it."""
        for path in (self.path, self.frames_dir, self.checkpoints_dir):
            if path.exists() and not path.is_dir():
                raise RunFolderError(
                    f"{path} is a file, not a folder; move it away or " + CHOOSE_ANOTHER
                )
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RunFolderError(self._unusable(error)) from None

    def _unusable(self, error):
        blocking = next(
            (p for p in [self.path, *self.path.parents] if p.exists() and not p.is_dir()), None
        )
        if blocking is not None:
            return f"{self.path} cannot be made: {blocking} is a file; " + CHOOSE_ANOTHER
        if isinstance(error, PermissionError):
            return (
                f"{self.path} is not writable ({error.strerror}); make it writable, or "
                + CHOOSE_ANOTHER
            )
        return f"{self.path} cannot be used as a run folder ({error.strerror}); " + CHOOSE_ANOTHER

    def writable(self):
        """Whether this process may write the folder; a teacher's shared run may be read-only,
        and reading a finished run needs no writing."""
        if not self.path.is_dir():
            return True  # made by prepare(), which says what is wrong if it cannot be
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as error:
            return error.errno not in (errno.EACCES, errno.EPERM, errno.EROFS)
        os.close(fd)
        return True

    @contextlib.contextmanager
    def locked(self):
        """Hold the folder for one training: a second one is refused in one line naming the holder.

        ``flock`` on ``.lock``, not blocking; the OS drops it when its process ends, however it
        ends, so a lock left by a killed training never blocks. Where there is no ``fcntl``
        (Windows) nothing is locked."""
        self.prepare()
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as error:
            raise RunFolderError(self._unusable(error)) from None
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    holder = (
                        os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "pid unknown"
                    )
                    raise RunFolderError(
                        f"{self.path} is in use by another training ({holder}); wait for it or "
                        + CHOOSE_ANOTHER
                    ) from None
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode(), 0)
            yield self
        finally:
            os.close(fd)  # releases the flock

    def remove_leftovers(self):
        """Delete what an interrupted write leaves: TensorFlow's ``ckpt-N_temp/`` folders and
        temporary files, and our atomic writes' ``.NAME.*.tmp``. Only call it holding the lock."""
        leftovers = [
            *self.path.glob(".*.tmp"),
            *self.frames_dir.glob(".*.tmp"),
            *self.checkpoints_dir.glob("ckpt-*_temp"),
            *self.checkpoints_dir.glob("checkpoint.tmp*"),
            *self.checkpoints_dir.glob("*.tempstate*"),
        ]
        for path in leftovers:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    # --- checkpoints --------------------------------------------------------------------------
    def checkpoint_numbers(self):
        """The checkpoints' numbers (= epochs), newest first, found from the files themselves
        (``ckpt-N.index``, ``ckpt-N.data-*``) and from TensorFlow's bookkeeping file: losing
        or damaging that file loses nothing."""
        found = set()
        if self.checkpoints_dir.is_dir():
            found = {
                int(m.group(1))
                for p in self.checkpoints_dir.iterdir()
                if (m := CHECKPOINT_FILE.match(p.name))
            }
        state = self._checkpoint_state()
        if state:
            found |= {n for n in [state[0], *state[1]] if n is not None}
        return sorted(found, reverse=True)

    def _checkpoint_state(self):
        """``(latest, [numbers])`` listed in ``checkpoints/checkpoint``, or None when it is
        missing or unreadable."""
        try:
            text = (self.checkpoints_dir / "checkpoint").read_text()
        except (OSError, UnicodeDecodeError):
            return None
        latest = re.findall(r'^model_checkpoint_path: "(?:.*/)?ckpt-(\d+)"$', text, re.M)
        listed = re.findall(r'^all_model_checkpoint_paths: "(?:.*/)?ckpt-(\d+)"$', text, re.M)
        if len(latest) != 1:
            return None
        return int(latest[0]), [int(n) for n in listed]

    def checkpoint_prefix(self, number):
        return self.checkpoints_dir / f"ckpt-{number}"

    def _checkpoint_files_problem(self, number):
        """Why ``ckpt-N`` cannot be whole from its files alone, or None."""
        prefix = self.checkpoint_prefix(number)
        index = prefix.with_name(prefix.name + ".index")
        if not index.is_file():
            return f"{index.name} is missing"
        shards = [
            m
            for p in self.checkpoints_dir.glob(f"ckpt-{number}.data-*")
            if (m := DATA_SHARD.match(p.name))
        ]
        if not shards:
            return f"{prefix.name}.data-00000-of-00001 is missing"
        total = int(shards[0].group(2))
        missing = sorted(set(range(total)) - {int(m.group(1)) for m in shards})
        if missing:
            return f"{prefix.name}.data-{missing[0]:05d}-of-{total:05d} is missing"
        return None

    def latest_checkpoint(self):
        """The newest checkpoint whose files are all there (a path prefix), or None."""
        return next(
            (
                str(self.checkpoint_prefix(n))
                for n in self.checkpoint_numbers()
                if self._checkpoint_files_problem(n) is None
            ),
            None,
        )

    def restore_checkpoint(self, restore, verb="resumed from"):
        """Restore the newest checkpoint that restores: ``restore(prefix)`` raises for a damaged
        one, and the next older one is tried. Returns its number (= its epoch), or None when the
        folder holds no checkpoint. Skipped ones are reported in one line; when none restores,
        ``RunFolderError`` says so (nothing is trained over them)."""
        damaged, problem = [], "no checkpoint"
        with _tensorflow_quiet():
            for number in self.checkpoint_numbers():
                problem = self._checkpoint_files_problem(number)
                if problem is None:
                    try:
                        restore(str(self.checkpoint_prefix(number)))
                    except Exception as error:  # TensorFlow raises many kinds here
                        problem = _restore_problem(error)
                if problem is None:
                    break
                damaged.append((number, problem))
        if problem is None:
            if damaged:
                names = ", ".join(f"ckpt-{n} is damaged ({why})" for n, why in damaged)
                notice(f"{self.checkpoints_dir}/{names}; {verb} ckpt-{number} (epoch {number})")
            return number
        if damaged and all(why == MISFIT for _, why in damaged):
            raise CheckpointMisfit(
                f"{self.checkpoints_dir}: no checkpoint fits the networks {self.config_path} "
                "describes (their shapes differ): if config.json was edited, put its old values "
                "back; the checkpoints are kept"
            )
        if damaged:
            names = "; ".join(f"ckpt-{n}: {why}" for n, why in damaged)
            raise RunFolderError(
                f"{self.checkpoints_dir}: no checkpoint restores ({names}); move that folder away "
                "to train this run afresh, or " + CHOOSE_ANOTHER
            )
        return None

    def mend_checkpoint_state(self, latest):
        """Make TensorFlow's bookkeeping file list the intact checkpoints up to ``latest`` (the one
        restored), as ``tf.train.CheckpointManager`` expects; rebuilt from the files when it is
        lost or unreadable (said in one line), left alone when it already agrees."""
        path = self.checkpoints_dir / "checkpoint"
        state = self._checkpoint_state()
        if latest is None:
            if path.exists():  # lists nothing there is: TF would choke
                path.unlink()
            return
        kept = sorted(
            n
            for n in self.checkpoint_numbers()
            if n <= latest and self._checkpoint_files_problem(n) is None
        )
        if state == (latest, kept):
            return
        lost = "unreadable" if path.exists() else "missing"
        stamps = [self.checkpoint_prefix(n).with_suffix(".index").stat().st_mtime for n in kept]
        text = (
            f'model_checkpoint_path: "ckpt-{latest}"\n'
            + "".join(f'all_model_checkpoint_paths: "ckpt-{n}"\n' for n in kept)
            + "".join(f"all_model_checkpoint_timestamps: {t!r}\n" for t in stamps)
            + f"last_preserved_timestamp: {min(stamps) - 1!r}\n"
        )
        atomic_write_text(path, text)
        if state is None:
            notice(f"{path} was {lost}; rebuilt from the checkpoint files (latest ckpt-{latest})")

    def checkpoint_signature(self):
        """What the checkpoints folder holds now (names, sizes, times): changes when anyone saves."""
        if not self.checkpoints_dir.is_dir():
            return []
        return sorted(
            (p.name, p.stat().st_size, p.stat().st_mtime_ns)
            for p in self.checkpoints_dir.iterdir()
            if p.is_file()
        )

    # --- frames -------------------------------------------------------------------------------
    def missing_frames(self, last_epoch):
        """Epochs up to ``last_epoch`` that have no whole frame (missing, empty or cut short)."""
        return [e for e in range(1, last_epoch + 1) if not frame_is_whole(self.frame_path(e))]

    def frames_to_repaint(self, last_epoch):
        """Frames deleted by hand: ``(todo, lost)``, where ``todo`` lists ``(epoch, checkpoint
        prefix)`` for those whose epoch's checkpoint is still kept (only the newest
        ``keep_checkpoints`` are) and ``lost`` the epochs with none to repaint from."""
        todo, lost = [], []
        for epoch in self.missing_frames(last_epoch):
            if self._checkpoint_files_problem(epoch) is None:
                todo.append((epoch, str(self.checkpoint_prefix(epoch))))
            else:
                lost.append(epoch)
        return todo, lost

    def report_frames(self, repainted, lost):
        """Say in one line which missing frames were repainted and which stay missing."""
        said = []
        if repainted:
            said.append(
                f"the frames of {describe_epochs(repainted)} were missing and are repainted "
                "from their checkpoints"
            )
        if lost:
            said.append(
                f"no whole frame for {describe_epochs(lost)} and no checkpoint to repaint "
                f"{'it' if len(lost) == 1 else 'them'} from: training.gif is made without "
                f"{'it' if len(lost) == 1 else 'them'}"
            )
        if said:
            notice(f"{self.frames_dir}: " + "; ".join(said))

    # --- trained players ----------------------------------------------------------------------
    def _restore_player(self, model, which):
        player = player_checkpoint(**{which: model})
        return self.restore_checkpoint(
            lambda prefix: (
                player.restore(prefix).expect_partial().assert_existing_objects_matched()
            ),
            verb="loaded",
        )

    def load(self, which):
        """One player (``"generator"`` or ``"discriminator"``) with its latest checkpointed weights.

        The architecture comes from config.json's preset, built by the lessons' own builders. A
        damaged newest checkpoint falls back to the newest one that restores (said in one line).
        """
        from course_utils.models import make_discriminator_model, make_generator_model

        preset = self.preset()
        if which == "generator":
            model = make_generator_model(**preset.generator_knobs())
        else:
            model = make_discriminator_model(**preset.discriminator_knobs())
        failure = None
        with _tensorflow_quiet():
            try:
                number = self._restore_player(model, which)
            except RunFolderError as error:
                # Raised below without its traceback, so the failed restores it holds are freed
                # (and their warnings silenced) here.
                failure = error.with_traceback(None)
        if failure is not None:
            raise failure
        if number is None:
            raise FileNotFoundError(f"'{self.checkpoints_dir}' holds no checkpoint: train first")
        return model


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_END = b"IEND\xaeB`\x82"  # the last chunk of every whole PNG file


def frame_is_whole(path):
    """Whether ``path`` is a whole PNG file: its signature first and its end chunk last. An emptied
    or half-written frame fails, without decoding it (libpng would complain on stderr)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
            handle.seek(0, os.SEEK_END)
            if handle.tell() < 8 + len(PNG_END):
                return False
            handle.seek(-len(PNG_END), os.SEEK_END)
            return head == PNG_SIGNATURE and handle.read() == PNG_END
    except OSError:
        return False


def player_checkpoint(generator=None, discriminator=None, **others):
    """The run folder's checkpoint layout, in one place: each player's variables under
    ``generator_variables`` / ``discriminator_variables``, and whatever else training saves
    (optimizers, the noise generator, the epoch) under its own name. Every model variable is
    listed: Keras 3 models do not hand their Dropout seed state to ``tf.train.Checkpoint``, and a
    resumed run must draw the same masks."""
    import tensorflow as tf

    parts = {}
    if generator is not None:
        parts["generator_variables"] = [v.value for v in generator.variables]
    if discriminator is not None:
        parts["discriminator_variables"] = [v.value for v in discriminator.variables]
    return tf.train.Checkpoint(**parts, **others)


def read_history(path_or_run_dir):
    """Rows of a run's ``history.csv`` (give the file or its run folder) as dicts of numbers.

    ``RunFolder.read_history``: a damaged file is rebuilt from its copy, a half row is dropped,
    and either is said in one line."""
    path = Path(path_or_run_dir)
    if path.is_dir():
        return RunFolder(path).read_history()
    if path.name == "history.csv":
        return RunFolder(path.parent).read_history()
    rows, problem, _ = _parse_history(path)
    if problem:
        notice(f"{path} {problem}")
    return [rows[e] for e in sorted(rows)]


def _parse_history(path):
    """``(rows by epoch, problem, exists)`` of one history file. A row whose fields are not all
    there and readable is dropped, and so is a last line with no newline (it may be cut inside a
    number): ``problem`` says which, or None when the file is whole."""
    try:
        text = Path(path).read_bytes().decode("utf-8", "replace")
    except FileNotFoundError:
        return {}, None, False
    except OSError as error:
        return {}, f"is unreadable ({error.strerror})", True
    if not text.strip():
        return {}, "is empty", True
    whole = text.endswith("\n")
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if whole:
        lines.pop()
    header = lines[0].split(",")
    if len(lines) == 1 and not whole:
        return {}, "is cut off inside its header", True
    if header[0] != "epoch" or not all(re.fullmatch(r"\w+", name) for name in header):
        return {}, "has an unreadable header", True
    rows, bad = {}, []
    for number, line in enumerate(lines[1:], start=1):
        if not line.strip():
            continue
        row = _parse_row(header, line.split(","))
        if row is None or (number == len(lines) - 1 and not whole):
            bad.append(number)
        else:
            rows[row["epoch"]] = row
    if not bad:
        return rows, None, True
    if bad == [len(lines) - 1] and not whole:
        return rows, "is cut off inside its last row (dropped)", True
    return (
        rows,
        f"has incomplete row{'s' if len(bad) > 1 else ''} (line{'s' if len(bad) > 1 else ''} "
        f"{', '.join(str(n + 1) for n in bad)}, dropped)",
        True,
    )


def _parse_row(header, cells):
    if len(cells) != len(header):
        return None
    try:
        row = {
            k: (None if v == "" else (int(v) if k == "epoch" else float(v)))
            for k, v in zip(header, cells)
        }
    except ValueError:
        return None
    return row if row["epoch"] is not None and row["epoch"] >= 1 else None


MISFIT = "its tensors' shapes differ from the networks'"


@contextlib.contextmanager
def _tensorflow_quiet():
    """TensorFlow's logger silenced while checkpoints are tried: a checkpoint that does not fit
    leaves objects whose deletion logs a warning line for every variable (hundreds)."""
    import gc
    import logging

    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        gc.collect()  # the failed restores' leftovers are deleted (and would warn) here
        logger.setLevel(level)


def _restore_problem(error):
    """A short reason for a checkpoint that did not restore, from TensorFlow's long message."""
    text = re.sub(r"\{\{[^}]*\}\}\s*", "", str(error)).strip().split("\n")[0]
    for clue, reason in (
        ("incompatible tensor with shape", MISFIT),
        ("Checksum does not match", "its data fails its checksum"),
        ("Read less bytes", "its data is cut short"),
        ("sstable", "its .index is unreadable"),
        ("Unable to read file", "its .index is unreadable"),
        ("No such file", "a file of it is missing"),
    ):
        if clue in text:
            return reason
    return f"{type(error).__name__}: {text[:100]}"


def load_generator(run_dir):
    """The artist from the latest checkpoint in ``run_dir`` (architecture from its config.json)."""
    return RunFolder(run_dir).load("generator")


def load_discriminator(run_dir):
    """The critic from the latest checkpoint in ``run_dir`` (architecture from its config.json)."""
    return RunFolder(run_dir).load("discriminator")
