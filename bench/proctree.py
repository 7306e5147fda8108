"""Measure one command and its whole process tree: wall time, CPU time, peak memory.

A stage of ours is a Python driver, a JVM (Spark) and Python workers forked by the JVM; a datatrove
run is a Python driver, a multiprocess manager, a forkserver and pool workers. Timing only the
first process would miss nearly all of the work, so ``measure_command`` counts the whole tree in two
independent ways:

* **wait4** (kernel accounting). ``os.wait4`` on the child returns its rusage *plus that of every
  descendant that was waited for* (recursively). It is exact for what it covers, and it also sees
  processes too short-lived to be sampled. But a descendant that nobody waits for is lost to it:
  pyspark does not wait for its JVM at exit, and multiprocessing's forkserver outlives the
  driver; such processes are re-parented when their parent exits and their CPU time goes with them.
  To keep them, the measuring process makes itself a *child subreaper* (Linux
  ``PR_SET_CHILD_SUBREAPER``): orphans of the tree are re-parented to it instead of to init, and it
  reaps them with ``wait4`` as well, adding their rusage (``cpu_s_wait4`` = child + adopted orphans).
* **sampling** (psutil, every ``interval`` seconds). The live tree (the child, its descendants, every
  process in the child's session, and every process ever seen in the tree even after it was
  re-parented) is walked; the CPU figure is
  the sum over all processes seen of the last user+system time read for each (``cpu_s_sampled``).
  It misses what a process burnt after its last sample and processes that lived less than one
  interval, so it is a lower bound, but it does not depend on anyone waiting for anyone.

Both figures count the same processes and are lower bounds of the true total, each missing a
different part, so the reported ``cpu_s`` is **the max of the two** (a sum would count most of the
work twice). Where they differ, it says which accounting failed: without subreaper support wait4
misses orphans; sampling misses processes shorter than one interval; and wait4 never sees the
children of a process that sets SIGCHLD to SIG_IGN (the kernel then reaps them and discards their
times), which is what pyspark's worker daemon does, so for a Spark stage the sampled figure is the
higher one (by the CPU time of the Python workers, a few per cent of an ingest run).

Memory is sampled too: ``peak_rss_tree`` is the largest sum of RSS over the live tree in one sample
(the JVM heap plus every Python worker: what the machine has to hold at once; shared pages of
forked workers are counted once per process, so it is an upper estimate), ``peak_rss_proc`` the
largest single process as sampled. The kernel's ``ru_maxrss`` from wait4 is reported apart
(``maxrss_wait4``) and not folded in: a child forked from a large parent inherits the parent's
high-water mark across exec, so it can overstate the child by the parent's own RSS (seen in CI,
where the parent is a pytest process holding Spark and GX), and ``peak_pss_tree`` the largest sum of PSS
(proportional set size: a page shared by k processes counts 1/k in each, so the sum is what the tree
really occupies; read every ``pss_every``-th sample only, as smaps_rollup costs more to read).

Wall time is from the start of the child to its exit. Descendants still running after that (a JVM
shutting down) are waited for up to ``linger_timeout`` seconds, then killed; their CPU time
counts, and ``linger_s`` says how long they took.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import psutil

PR_SET_CHILD_SUBREAPER = 36

_subreaper_state: bool | None = None


def become_subreaper() -> bool:
    """Make this process adopt the orphans of its descendants (Linux); True when it is in effect."""
    global _subreaper_state
    if _subreaper_state is None:
        _subreaper_state = False
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                _subreaper_state = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
            except (OSError, AttributeError):
                _subreaper_state = False
    return _subreaper_state


@dataclass
class Measurement:
    argv: list[str]
    returncode: int | None
    wall_s: float
    cpu_s: float  # max(cpu_s_wait4, cpu_s_sampled): see the module docstring
    cpu_s_wait4: float
    cpu_s_sampled: float
    user_s_wait4: float
    system_s_wait4: float
    peak_rss_tree: int  # bytes, max over samples of the summed RSS of the live tree
    peak_rss_proc: int  # bytes, max single process, sampled
    peak_pss_tree: int  # bytes, max summed PSS of the live tree (shared pages split between sharers)
    maxrss_wait4: int  # bytes, the kernel's ru_maxrss over the waited processes
    procs_seen: int  # distinct processes seen in the tree
    orphans_reaped: int  # descendants adopted through the subreaper and reaped here
    samples: int
    linger_s: float  # time from the child's exit until its last descendant exited
    leftovers_killed: int  # descendants still running after linger_timeout, killed
    timed_out: bool
    subreaper: bool
    peak_procs: int = 0  # most live processes in one sample
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _rusage_cpu(ru) -> tuple[float, float]:
    return ru.ru_utime, ru.ru_stime


def _maxrss_bytes(ru) -> int:
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    return int(ru.ru_maxrss) * (1 if sys.platform == "darwin" else 1024)


class _TreeSampler(threading.Thread):
    """Samples the process tree rooted at ``root_pid`` until stopped (see module docstring).

    The tree is: the root, every process in the root's session (the child is started with
    ``start_new_session``, so its session id is its pid; this finds descendants whose parents exited
    before they were ever sampled), every process seen before that is still there, and all their
    descendants. A descendant that starts a session of its own (a daemon) and whose parent exits
    before one sample saw it escapes both this and wait4.
    """

    def __init__(self, root_pid: int, interval: float, pss_every: int = 5):
        super().__init__(name=f"tree-sampler-{root_pid}", daemon=True)
        self.root_pid = root_pid
        self.interval = interval
        self.pss_every = pss_every  # PSS (smaps_rollup) costs more than RSS: read it every n-th sample
        self.peak_pss_tree = 0
        self._stop_evt = threading.Event()
        self._lock = threading.Lock()
        self.known: dict[tuple[int, float], float] = {}  # (pid, create_time) -> last user+system
        self.alive: dict[int, float] = {}  # pid -> create_time, live (non-zombie) tree members
        self.zombies: set[int] = set()
        self.peak_rss_tree = 0
        self.peak_rss_proc = 0
        self.peak_procs = 0
        self.samples = 0
        self.root_ctime: float | None = None
        try:
            self.root_ctime = psutil.Process(root_pid).create_time()
        except psutil.Error:
            pass

    def run(self) -> None:
        while not self._stop_evt.is_set():
            t0 = time.monotonic()
            self.sample_once()
            self._stop_evt.wait(max(0.0, self.interval - (time.monotonic() - t0)))

    def stop(self) -> None:
        self._stop_evt.set()
        self.join()
        self.sample_once()  # a last look: zombies not yet reaped still show their final CPU time

    def _tree_pids(self) -> list[int]:
        """PIDs of the tree now: descendants of the root and of every process known to be in it."""
        children: dict[int, list[int]] = {}
        session: set[int] = set()
        for p in psutil.process_iter(["ppid"]):
            ppid = p.info.get("ppid")
            if ppid is not None:
                children.setdefault(ppid, []).append(p.pid)
            try:
                if os.getsid(p.pid) == self.root_pid:
                    session.add(p.pid)
            except OSError:
                pass
        with self._lock:
            starts = {self.root_pid} | set(self.alive) | set(self.zombies) | session
        seen: set[int] = set()
        stack = list(starts)
        while stack:
            pid = stack.pop()
            if pid in seen:
                continue
            seen.add(pid)
            stack.extend(children.get(pid, ()))
        return list(seen)

    def sample_once(self) -> None:
        try:
            pids = self._tree_pids()
        except psutil.Error:
            return
        tree_rss = 0
        tree_pss: int | None = 0 if self.pss_every and self.samples % self.pss_every == 0 else None
        n_alive = 0
        alive: dict[int, float] = {}
        zombies: set[int] = set()
        updates: dict[tuple[int, float], float] = {}
        for pid in pids:
            try:
                p = psutil.Process(pid)
                with p.oneshot():
                    ctime = p.create_time()
                    status = p.status()
                    ct = p.cpu_times()
                    rss = p.memory_info().rss if status != psutil.STATUS_ZOMBIE else 0
            except psutil.Error:
                continue
            if pid == self.root_pid and self.root_ctime is not None and abs(ctime - self.root_ctime) > 0.5:
                continue  # the root's pid was reused by an unrelated process
            updates[(pid, ctime)] = ct.user + ct.system
            if status == psutil.STATUS_ZOMBIE:
                zombies.add(pid)
                continue
            alive[pid] = ctime
            n_alive += 1
            tree_rss += rss
            if tree_pss is not None:
                try:
                    tree_pss += p.memory_full_info().pss
                except (psutil.Error, AttributeError, OSError):
                    tree_pss += rss  # no smaps access: RSS is the (upper) estimate
            self.peak_rss_proc = max(self.peak_rss_proc, rss)
        with self._lock:
            for key, cpu in updates.items():
                self.known[key] = max(cpu, self.known.get(key, 0.0))
            self.alive = alive
            self.zombies = zombies
            self.peak_rss_tree = max(self.peak_rss_tree, tree_rss)
            if tree_pss is not None:
                self.peak_pss_tree = max(self.peak_pss_tree, tree_pss)
            self.peak_procs = max(self.peak_procs, n_alive)
            self.samples += 1

    def cpu_total(self) -> float:
        with self._lock:
            return sum(self.known.values())

    def alive_pids(self) -> set[int]:
        with self._lock:
            return set(self.alive)

    def known_pids(self) -> set[int]:
        with self._lock:
            return {pid for pid, _ in self.known}


def _signal_pids(pids, sig) -> int:
    n = 0
    for pid in pids:
        try:
            os.kill(pid, sig)
            n += 1
        except (ProcessLookupError, PermissionError):
            pass
    return n


def measure_command(
    argv: Sequence[str],
    *,
    cwd: str | os.PathLike | None = None,
    env: Mapping[str, str] | None = None,
    stdout=None,
    stderr=None,
    interval: float = 0.1,
    pss_every: int = 5,
    timeout: float | None = None,
    linger_timeout: float = 30.0,
    subreaper: bool = True,
) -> Measurement:
    """Run ``argv`` to completion and measure its whole process tree (see the module docstring).

    ``stdout``/``stderr`` are passed to ``subprocess.Popen`` (a file object, DEVNULL, ...).
    ``timeout`` kills the tree after that many seconds (``timed_out`` is then True).
    The child runs in a new session, so a Ctrl-C here does not reach it directly; the tree is
    killed when this function is interrupted.
    """
    notes: list[str] = []
    sub = become_subreaper() if subreaper else bool(_subreaper_state)  # once set, it stays for the process
    if subreaper and not sub:
        notes.append("subreaper unavailable: wait4 misses orphaned descendants; sampling covers them")

    t_start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdout=stdout,
        stderr=stderr,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    sampler = _TreeSampler(proc.pid, interval, pss_every)
    sampler.start()

    timed_out = threading.Event()

    def _kill_all() -> None:
        timed_out.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        _signal_pids(sampler.alive_pids(), signal.SIGKILL)

    timer = threading.Timer(timeout, _kill_all) if timeout else None
    if timer:
        timer.daemon = True
        timer.start()

    user = system = 0.0
    maxrss = 0
    orphans = 0
    reaped: set[int] = set()
    leftovers_killed = 0
    try:
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        except KeyboardInterrupt:
            _kill_all()
            raise
        t_exit = time.perf_counter()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        reaped.add(proc.pid)
        u, s = _rusage_cpu(ru)
        user, system, maxrss = user + u, system + s, max(maxrss, _maxrss_bytes(ru))

        # Descendants that outlive the child (a JVM shutting down, a forkserver): wait, reap, kill.
        # A process counts as gone only once it is reaped (when it is our child) or no longer in the
        # tree: /proc shows a process whose main thread has exited as a zombie while its other
        # threads still run (the java launcher does this at shutdown), so "zombie" is not "done".
        deadline = time.monotonic() + linger_timeout
        killed_at: float | None = None
        while True:
            sampler.sample_once()
            unreaped: set[int] = set()  # our children (adopted orphans) that have not exited yet
            for pid in sampler.known_pids() - reaped:
                try:
                    rpid, _st, oru = os.wait4(pid, os.WNOHANG)
                except ChildProcessError:
                    continue  # not our child (reaped by its own parent, or re-parented elsewhere)
                if rpid == pid:
                    reaped.add(pid)
                    orphans += 1
                    u, s = _rusage_cpu(oru)
                    user, system, maxrss = user + u, system + s, max(maxrss, _maxrss_bytes(oru))
                else:
                    unreaped.add(pid)
            alive = sampler.alive_pids() | unreaped
            if not alive:
                break
            now = time.monotonic()
            if killed_at is None and now > deadline:
                leftovers_killed = _signal_pids(alive, signal.SIGTERM)
                notes.append(
                    f"{leftovers_killed} descendant(s) still running {linger_timeout:.0f}s after "
                    "the command exited: terminated"
                )
                killed_at = now
            elif killed_at is not None and now > killed_at + 5:
                _signal_pids(alive, signal.SIGKILL)
                killed_at = now
            time.sleep(min(0.05, interval))
        t_end = time.perf_counter()
    except BaseException:
        _kill_all()
        raise
    finally:
        if timer:
            timer.cancel()
        sampler.stop()

    cpu_wait4 = user + system
    cpu_sampled = sampler.cpu_total()
    if not sub and cpu_sampled > 1.2 * cpu_wait4 + 0.5:
        notes.append("sampled CPU exceeds wait4 CPU: some descendants were never waited for")
    return Measurement(
        argv=list(argv),
        returncode=proc.returncode,
        wall_s=t_exit - t_start,
        cpu_s=max(cpu_wait4, cpu_sampled),
        cpu_s_wait4=cpu_wait4,
        cpu_s_sampled=cpu_sampled,
        user_s_wait4=user,
        system_s_wait4=system,
        peak_rss_tree=sampler.peak_rss_tree,
        peak_rss_proc=sampler.peak_rss_proc,
        peak_pss_tree=sampler.peak_pss_tree,
        maxrss_wait4=maxrss,
        procs_seen=len(sampler.known),
        orphans_reaped=orphans,
        samples=sampler.samples,
        linger_s=t_end - t_exit,
        leftovers_killed=leftovers_killed,
        timed_out=timed_out.is_set(),
        subreaper=sub,
        peak_procs=sampler.peak_procs,
        notes=notes,
    )
