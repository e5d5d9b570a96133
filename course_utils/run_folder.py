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
from course_utils.language import Messages
from course_utils.notices import notice
from course_utils.presets import preset_from_dict

_say = Messages(
    __name__,
    {
        # --- pieces of sentences ---
        "another folder": (
            "--run-dir on the command line, COURSE_RUNS_DIR in a notebook",
            "命令行里用 --run-dir，笔记本里用 COURSE_RUNS_DIR",
        ),
        "choose another": ("choose another run folder ({how})", "或换一个运行文件夹（{how}）"),
        "choose another alone": (
            "choose another run folder ({how})",
            "请换一个运行文件夹（{how}）",
        ),
        "one epoch": ("epoch {epochs}", "第 {epochs} 轮"),
        "epochs": ("epochs {epochs}", "第 {epochs} 轮"),
        "list": (", ", "、"),
        "comma": (", ", "，"),
        "semicolon": ("; ", "；"),
        "about path": ("{path}: {text}", "{path}：{text}"),
        "and then": ("{first}; {then}", "{first}；{then}"),
        # --- config.json ---
        "no preset named": ("it names no preset", "里面没有写明预设"),
        "unreadable config": (
            "{path}: not a readable config ({problem}); put back a copy of it, or delete it to "
            "resume with the settings given now (they are then not checked), or {choose}",
            "{path}：不是可读的配置文件（{problem}）；请放回它的副本，或删掉它、用现在给的设置"
            "继续训练（这样就不再核对设置），{choose}",
        ),
        "not a run folder": (
            "'{path}' is not a run folder (no config.json): train first",
            "'{path}' 不是运行文件夹（没有 config.json）：请先训练",
        ),
        "incomplete preset": (
            "{path}: its preset is incomplete ({error}); put back a copy of it, or {choose}",
            "{path}：其中的预设不完整（{error}）；请放回它的副本，{choose}",
        ),
        # --- history.csv ---
        "history rebuilt": (
            "{path} {problem}; {epochs} rebuilt from {copy}",
            "{path} {problem}；{epochs}已从 {copy} 重建",
        ),
        "history lost": (
            "{path} {problem}; no copy to rebuild it from",
            "{path} {problem}；没有可以用来重建它的副本",
        ),
        "is missing": ("is missing", "不见了"),
        "unreadable file": ("is unreadable ({why})", "无法读取（{why}）"),
        "is empty": ("is empty", "是空的"),
        "cut in header": ("is cut off inside its header", "在表头处被截断"),
        "bad header": ("has an unreadable header", "表头无法读取"),
        "cut in last row": (
            "is cut off inside its last row (dropped)",
            "在最后一行处被截断（该行已丢弃）",
        ),
        "incomplete row": (
            "has incomplete row (line {lines}, dropped)",
            "有不完整的行（第 {lines} 行，已丢弃）",
        ),
        "incomplete rows": (
            "has incomplete rows (lines {lines}, dropped)",
            "有不完整的行（第 {lines} 行，已丢弃）",
        ),
        "no rows": (
            "no row for {epochs}, which the plots will miss",
            "缺少{epochs}的记录，图上会少掉这些轮",
        ),
        "checkpoints deleted": (
            "{path} holds a run (history to epoch {last}, {frames} frames) but no checkpoints: "
            "were they deleted? Training here would write over it. Put the checkpoints back to "
            "resume, or move this folder away (or choose another run folder: {how}) to train "
            "afresh",
            "{path} 里有一次训练（历史记录到第 {last} 轮，{frames} 帧画面），却没有检查点："
            "是被删掉了吗？在这里训练会把它覆盖掉。要继续训练，请把检查点放回去；要从头训练，"
            "请把这个文件夹移走（或换一个运行文件夹：{how}）",
        ),
        # --- the folder itself ---
        "is a file": (
            "{path} is a file, not a folder; move it away or {choose}",
            "{path} 是一个文件，不是文件夹；请把它移走，{choose}",
        ),
        "cannot be made": (
            "{path} cannot be made: {blocking} is a file; {choose}",
            "无法创建 {path}：{blocking} 是一个文件；{choose}",
        ),
        "not writable": (
            "{path} is not writable ({why}); make it writable, or {choose}",
            "{path} 不可写（{why}）；请让它可写，{choose}",
        ),
        "unusable": (
            "{path} cannot be used as a run folder ({why}); {choose}",
            "{path} 不能用作运行文件夹（{why}）；{choose}",
        ),
        "pid unknown": ("pid unknown", "进程号不明"),
        "in use": (
            "{path} is in use by another training ({holder}); wait for it or {choose}",
            "{path} 正被另一个训练使用（{holder}）；请等它结束，{choose}",
        ),
        # --- checkpoints ---
        "file missing": ("{name} is missing", "缺少 {name}"),
        "damaged": ("ckpt-{number} is damaged ({why})", "ckpt-{number} 已损坏（{why}）"),
        "damaged, resumed": (
            "{folder}/{names}; resumed from ckpt-{number} (epoch {number})",
            "{folder}/{names}；改从 ckpt-{number}（第 {number} 轮）继续训练",
        ),
        "damaged, loaded": (
            "{folder}/{names}; loaded ckpt-{number} (epoch {number})",
            "{folder}/{names}；改为载入 ckpt-{number}（第 {number} 轮）",
        ),
        "misfit everywhere": (
            "{folder}: no checkpoint fits the networks {config} describes (their shapes differ): "
            "if config.json was edited, put its old values back; the checkpoints are kept",
            "{folder}：没有一个检查点与 {config} 描述的网络相符（形状不同）：如果改过 "
            "config.json，请改回原来的值；检查点都保留着",
        ),
        "why not restored": ("ckpt-{number}: {why}", "ckpt-{number}：{why}"),
        "none restores": (
            "{folder}: no checkpoint restores ({names}); move that folder away to train this run "
            "afresh, or {choose}",
            "{folder}：没有一个检查点能恢复（{names}）；要从头训练这次运行，请把那个文件夹移走，"
            "{choose}",
        ),
        "state missing": (
            "{path} was missing; rebuilt from the checkpoint files (latest ckpt-{latest})",
            "{path} 不见了；已根据检查点文件重建（最新的是 ckpt-{latest}）",
        ),
        "state unreadable": (
            "{path} was unreadable; rebuilt from the checkpoint files (latest ckpt-{latest})",
            "{path} 无法读取；已根据检查点文件重建（最新的是 ckpt-{latest}）",
        ),
        "no checkpoint": (
            "'{path}' holds no checkpoint: train first",
            "'{path}' 里没有检查点：请先训练",
        ),
        "misfit": ("its tensors' shapes differ from the networks'", "其中张量的形状与网络不符"),
        "checksum": ("its data fails its checksum", "数据未通过校验和检查"),
        "cut short": ("its data is cut short", "数据被截断了"),
        "index unreadable": ("its .index is unreadable", "它的 .index 文件无法读取"),
        "part missing": ("a file of it is missing", "缺了它的一个文件"),
        # --- frames ---
        "repainted": (
            "the frames of {epochs} were missing and are repainted from their checkpoints",
            "{epochs}的画面不见了，已根据各自的检查点重画",
        ),
        "frame lost": (
            "no whole frame for {epochs} and no checkpoint to repaint it from: training.gif is "
            "made without it",
            "{epochs}没有完整的画面，也没有可用来重画的检查点：training.gif 里将没有这一帧",
        ),
        "frames lost": (
            "no whole frame for {epochs} and no checkpoint to repaint them from: training.gif is "
            "made without them",
            "{epochs}没有完整的画面，也没有可用来重画的检查点：training.gif 里将没有这些帧",
        ),
    },
)

HISTORY_FIELDS = ["epoch", "gen_loss", "disc_loss", "seconds", "d_real", "d_fake"]
CHECKPOINT_FILE = re.compile(r"^ckpt-(\d+)\.(?:index|data-\d+-of-\d+)$")
FRAME_PATTERN = re.compile(r"epoch_(\d+)\.png$")  # frames/epoch_0001.png: see frame_path
DATA_SHARD = re.compile(r"^ckpt-\d+\.data-(\d+)-of-(\d+)$")


def another_folder():
    """How to name another run folder, in the language spoken now."""
    return _say("another folder")


def _choose_another(alone=False):
    return _say("choose another alone" if alone else "choose another", how=another_folder())


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
    text = _say("list").join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
    return _say("epochs" if len(epochs) > 1 else "one epoch", epochs=text)


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
                else _say("no preset named")
            )
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            problem = str(error).replace("\n", " ")
        if problem:
            raise RunFolderError(
                _say(
                    "unreadable config",
                    path=self.config_path,
                    problem=problem,
                    choose=_choose_another(),
                )
            ) from None
        return config

    def write_config(self, config):
        atomic_write_text(self.config_path, json.dumps(config, indent=2) + "\n")

    def preset(self):
        """The ``Preset`` this run was trained with."""
        config = self.read_config()
        if config is None:
            raise FileNotFoundError(_say("not a run folder", path=self.path))
        try:
            return preset_from_dict(config["preset"])
        except (TypeError, ValueError) as error:
            raise RunFolderError(
                _say(
                    "incomplete preset",
                    path=self.config_path,
                    error=error,
                    choose=_choose_another(),
                )
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
            problem = _say("is missing")
        rows = {**backup, **main}
        rebuilt = sorted(set(rows) - set(main))
        if rebuilt:
            note = _say(
                "history rebuilt",
                path=self.history_path,
                problem=problem,
                epochs=describe_epochs(rebuilt),
                copy=self.history_backup_path.name,
            )
        else:
            note = _say("history lost", path=self.history_path, problem=problem)
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
            raise RunFolderError(
                _say(
                    "checkpoints deleted",
                    path=self.path,
                    last=last,
                    frames=len(frames),
                    how=another_folder(),
                )
            )

    def history_until(self, last_epoch):
        """The history's rows up to ``last_epoch`` (the checkpoint's epoch: later rows belong to
        epochs that will be trained again); says in one line what was mended or is missing."""
        rows, note = self.history_rows()
        rows = [row for row in rows if row["epoch"] <= last_epoch]
        lost = sorted(set(range(1, last_epoch + 1)) - {row["epoch"] for row in rows})
        if lost:
            missing = _say("no rows", epochs=describe_epochs(lost))
            if note:
                note = _say("and then", first=note, then=missing)
            else:
                note = _say("about path", path=self.history_path, text=missing)
        if note:
            notice(note)
        return rows

    def write_history(self, rows):
        fields = list(HISTORY_FIELDS)
        if rows and not any("gen_loss" in row for row in rows):  # a VAE's: its own loss parts
            fields = ["epoch"]
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
                raise RunFolderError(_say("is a file", path=path, choose=_choose_another()))
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RunFolderError(self._unusable(error)) from None

    def _unusable(self, error):
        blocking = next(
            (p for p in [self.path, *self.path.parents] if p.exists() and not p.is_dir()), None
        )
        choose = _choose_another(alone=True)
        if blocking is not None:
            return _say("cannot be made", path=self.path, blocking=blocking, choose=choose)
        if isinstance(error, PermissionError):
            return _say(
                "not writable", path=self.path, why=error.strerror, choose=_choose_another()
            )
        return _say("unusable", path=self.path, why=error.strerror, choose=choose)

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
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
                    raise RunFolderError(
                        _say(
                            "in use",
                            path=self.path,
                            holder=holder or _say("pid unknown"),
                            choose=_choose_another(),
                        )
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
            return _say("file missing", name=index.name)
        shards = [
            m
            for p in self.checkpoints_dir.glob(f"ckpt-{number}.data-*")
            if (m := DATA_SHARD.match(p.name))
        ]
        if not shards:
            return _say("file missing", name=f"{prefix.name}.data-00000-of-00001")
        total = int(shards[0].group(2))
        missing = sorted(set(range(total)) - {int(m.group(1)) for m in shards})
        if missing:
            return _say("file missing", name=f"{prefix.name}.data-{missing[0]:05d}-of-{total:05d}")
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
        said = {"resumed from": "damaged, resumed", "loaded": "damaged, loaded"}[verb]
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
                names = _say("comma").join(_say("damaged", number=n, why=why) for n, why in damaged)
                notice(_say(said, folder=self.checkpoints_dir, names=names, number=number))
            return number
        if damaged and all(why == _say("misfit") for _, why in damaged):
            raise CheckpointMisfit(
                _say("misfit everywhere", folder=self.checkpoints_dir, config=self.config_path)
            )
        if damaged:
            names = _say("semicolon").join(
                _say("why not restored", number=n, why=why) for n, why in damaged
            )
            raise RunFolderError(
                _say(
                    "none restores",
                    folder=self.checkpoints_dir,
                    names=names,
                    choose=_choose_another(),
                )
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
        lost = "state unreadable" if path.exists() else "state missing"
        stamps = [self.checkpoint_prefix(n).with_suffix(".index").stat().st_mtime for n in kept]
        text = (
            f'model_checkpoint_path: "ckpt-{latest}"\n'
            + "".join(f'all_model_checkpoint_paths: "ckpt-{n}"\n' for n in kept)
            + "".join(f"all_model_checkpoint_timestamps: {t!r}\n" for t in stamps)
            + f"last_preserved_timestamp: {min(stamps) - 1!r}\n"
        )
        atomic_write_text(path, text)
        if state is None:
            notice(_say(lost, path=path, latest=latest))

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
            said.append(_say("repainted", epochs=describe_epochs(repainted)))
        if lost:
            key = "frame lost" if len(lost) == 1 else "frames lost"
            said.append(_say(key, epochs=describe_epochs(lost)))
        if said:
            notice(_say("about path", path=self.frames_dir, text=_say("semicolon").join(said)))

    # --- trained players ----------------------------------------------------------------------
    def _restore_player(self, model, which):
        player = player_checkpoint(**{which: model})
        return self.restore_checkpoint(
            lambda prefix: (
                player.restore(prefix).expect_partial().assert_existing_objects_matched()
            ),
            verb="loaded",
        )

    def load(self, which, averaged=True):
        """One player (``"generator"`` or ``"discriminator"``) with its latest checkpointed weights.

        The architecture comes from config.json's preset, built by the lessons' own builders. When
        the preset keeps a running average of the artist (``average_decay``), the generator comes
        with the averaged weights, which paint the run's frames; ``averaged=False`` gives the
        artist's own. A damaged newest checkpoint falls back to the newest one that restores
        (said in one line).
        """
        from course_utils.models import make_discriminator_model, make_generator_model

        preset = self.preset()
        if which == "generator":
            model = make_generator_model(**preset.generator_knobs())
        else:
            model = make_discriminator_model(**preset.discriminator_knobs())
        key = painting_weights(preset) if which == "generator" and averaged else which
        failure = None
        with _tensorflow_quiet():
            try:
                number = self._restore_player(model, key)
            except RunFolderError as error:
                # Raised below without its traceback, so the failed restores it holds are freed
                # (and their warnings silenced) here.
                failure = error.with_traceback(None)
        if failure is not None:
            raise failure
        if number is None:
            raise FileNotFoundError(_say("no checkpoint", path=self.checkpoints_dir))
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


def player_checkpoint(generator=None, discriminator=None, painter=None, **others):
    """The run folder's checkpoint layout, in one place: each player's variables under
    ``generator_variables`` / ``discriminator_variables`` (and the painter's running average of
    the artist, when the preset keeps one, under ``painter_variables``), and whatever else
    training saves (optimizers, the noise generator, the epoch) under its own name. Every model
    variable is listed: Keras 3 models do not hand their Dropout seed state to
    ``tf.train.Checkpoint``, and a resumed run must draw the same masks."""
    import tensorflow as tf

    parts = {}
    if generator is not None:
        parts["generator_variables"] = [v.value for v in generator.variables]
    if discriminator is not None:
        parts["discriminator_variables"] = [v.value for v in discriminator.variables]
    if painter is not None:
        parts["painter_variables"] = [v.value for v in painter.variables]
    return tf.train.Checkpoint(**parts, **others)


def painting_weights(preset):
    """The name, in ``player_checkpoint``'s layout, of the weights that paint a run's frames: the
    painter's running average when the preset keeps one, else the artist's own."""
    return "painter" if preset.average_decay else "generator"


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
        return {}, _say("unreadable file", why=error.strerror), True
    if not text.strip():
        return {}, _say("is empty"), True
    whole = text.endswith("\n")
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if whole:
        lines.pop()
    header = lines[0].split(",")
    if len(lines) == 1 and not whole:
        return {}, _say("cut in header"), True
    if header[0] != "epoch" or not all(re.fullmatch(r"\w+", name) for name in header):
        return {}, _say("bad header"), True
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
        return rows, _say("cut in last row"), True
    numbers = _say("list").join(str(n + 1) for n in bad)
    return rows, _say("incomplete rows" if len(bad) > 1 else "incomplete row", lines=numbers), True


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
        ("incompatible tensor with shape", "misfit"),
        ("Checksum does not match", "checksum"),
        ("Read less bytes", "cut short"),
        ("sstable", "index unreadable"),
        ("Unable to read file", "index unreadable"),
        ("No such file", "part missing"),
    ):
        if clue in text:
            return _say(reason)
    return f"{type(error).__name__}: {text[:100]}"


def load_generator(run_dir, averaged=True):
    """The artist from the latest checkpoint in ``run_dir`` (architecture from its config.json):
    its running average when the preset keeps one, as it paints the run's frames
    (``averaged=False``: the artist's own weights)."""
    return RunFolder(run_dir).load("generator", averaged=averaged)


def load_discriminator(run_dir):
    """The critic from the latest checkpoint in ``run_dir`` (architecture from its config.json)."""
    return RunFolder(run_dir).load("discriminator")
