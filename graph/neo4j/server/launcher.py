"""Build and run a throwaway Neo4j 5.26 LTS Community server for tests and development.

The server is the tiny Java program in this folder (``CocoNeo4jServer``): an embedded Neo4j
DBMS with only the Bolt connector open on 127.0.0.1, auth disabled, all state in one directory.
It is built with Maven from Maven Central artefacts; nothing else is downloaded.

Typical use::

    from coco_atlas.graph.neo4j.server.launcher import Neo4jServer

    with Neo4jServer() as server:           # builds on first use, picks a free port
        driver = neo4j.GraphDatabase.driver(server.uri, auth=None)

or ``python -m coco_atlas.graph.neo4j.server.launcher`` for a dev server in the foreground.
Only the standard library is used.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from types import TracebackType

from coco_atlas.schema.messages import N_, Join, Msg

HERE = Path(__file__).resolve().parent
JAR_NAME = "coco-neo4j-server.jar"
READY_PREFIX = "NEO4J READY "
SERVER_LOG = "server.log"  # the JVM's stdout + stderr, inside the data dir

# Flags the Neo4j 5 distribution's neo4j.conf also uses. The --add-opens ones are in the jar
# manifest (Add-Opens), which `java -jar` honours, so they are not repeated here.
log = logging.getLogger(__name__)

JVM_FLAGS = ["-XX:+UseG1GC", "-XX:-OmitStackTraceInFastThrow", "-Djdk.nio.maxCachedBufferSize=1024"]


class Neo4jUnavailable(RuntimeError):
    """Neo4j cannot be built or started here; the message says why in its first line."""


def _sources(project: Path = HERE) -> list[Path]:
    """Files whose change requires a rebuild."""
    return [project / "pom.xml", *sorted(p for p in (project / "src").rglob("*") if p.is_file())]


def _installed(folder: Path) -> bool:
    """Whether ``folder`` is inside an installed package (site-packages), not a checkout."""
    roots = {Path(sysconfig.get_path(k)).resolve() for k in ("purelib", "platlib")}
    return any(root == folder or root in folder.parents for root in roots) or any(
        part in ("site-packages", "dist-packages") for part in folder.parts)


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/coco-atlas/neo4j-server`` (``~/.cache`` by default: XDG Base
    Directory Specification)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "coco-atlas" / "neo4j-server"


def project_dir() -> Path:
    """The Maven project to build: this folder in a checkout (``target/`` beside the sources),
    or, in an installed package (site-packages, or a folder this user cannot write), a copy of
    ``pom.xml`` and ``src/`` in :func:`cache_root` under a hash of their contents, so an upgrade
    that changes the sources builds afresh and an unchanged one reuses the jar."""
    if os.access(HERE, os.W_OK) and not _installed(HERE):
        return HERE
    digest = hashlib.sha256()
    for src in _sources():
        digest.update(src.relative_to(HERE).as_posix().encode() + b"\0" + src.read_bytes())
    project = cache_root() / digest.hexdigest()[:16]
    if not (project / "pom.xml").is_file():
        project.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=project.parent))
        for src in _sources():
            dest = staging / src.relative_to(HERE)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
        try:
            staging.rename(project)  # atomic: a concurrent caller sees all of it or none
        except OSError:  # another process made it first
            shutil.rmtree(staging, ignore_errors=True)
    return project


def _is_fresh(project: Path) -> bool:
    """True when the jar and its lib/ exist and the jar is newer than every source file."""
    jar, target = project / "target" / JAR_NAME, project / "target"
    if not jar.is_file() or not any((target / "lib").glob("neo4j-*.jar")):
        return False
    jar_mtime = jar.stat().st_mtime
    return all(src.stat().st_mtime < jar_mtime for src in _sources(project))


def _require(tool: str) -> str:
    """Return the path of an executable on PATH, or raise Neo4jUnavailable."""
    path = shutil.which(tool)
    if path is None:
        raise Neo4jUnavailable(Msg(N_("`{tool}` not found on PATH (Neo4j needs Java 17+ and "
                                      "Maven)"), tool=tool))
    return path


def _first_maven_error(output: str) -> str:
    """The most telling line of Maven's output: its first specific [ERROR] line."""
    boilerplate = (
        "COMPILATION ERROR",
        "-> [Help",
        "[Help",
        "To see the full",
        "Re-run Maven",
        "For more information",
    )
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", ln).strip() for ln in output.splitlines()]
    lines = [ln for ln in lines if ln]
    for ln in lines:
        msg = ln.removeprefix("[ERROR]").strip()
        if ln.startswith("[ERROR]") and msg and not msg.startswith(boilerplate):
            return msg
    return lines[-1] if lines else "no output"


def build(force: bool = False) -> Path:
    """Build the server jar with Maven once and return its path.

    Skipped when ``target/coco-neo4j-server.jar`` is newer than ``pom.xml`` and ``src/``
    (unless ``force``); the project is :func:`project_dir` (in place, or in the user cache).
    A file lock makes concurrent callers (e.g. pytest-xdist workers) wait for one build. The
    first build downloads ~170 MB into ~/.m2 and takes about 1-2 minutes.

    Raises:
        Neo4jUnavailable: java or mvn is missing, or the Maven build failed.
    """
    _require("java")
    project = project_dir()
    target = project / "target"
    jar = target / JAR_NAME
    if not force and _is_fresh(project):
        return jar
    mvn = _require("mvn")
    target.mkdir(exist_ok=True)
    with open(target / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not force and _is_fresh(project):  # another process built it while we waited
            return jar
        log.info(
            "building the Neo4j server with Maven in %s (first build: ~1.5 min, ~170 MB "
            "into ~/.m2)",
            project,
        )
        proc = subprocess.run(
            [mvn, "-q", "-B", "-Dstyle.color=never", "package"],
            cwd=project,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0 or not jar.is_file():
            raise Neo4jUnavailable(Msg(
                N_("Maven build of {project} failed (exit {code}): {error}"), project=project,
                code=proc.returncode, error=_first_maven_error(proc.stdout + proc.stderr)))
        jar.touch()  # the jar plugin may keep an unchanged jar; mark it as built now
    return jar


def _tail(path: Path, lines: int) -> str:
    """The last ``lines`` lines of a text file, or '' when it does not exist."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Neo4jServer:
    """A Neo4j server process on 127.0.0.1, usable as a context manager.

    Args:
        port: Bolt port; ``None`` lets the kernel pick a free one (reported by the server).
        data_dir: DBMS home (store in ``data/``, Neo4j logs in ``logs/``, JVM output in
            ``server.log``). ``None`` uses a new temporary directory, deleted by ``stop()``.
        heap: JVM maximum heap (-Xmx), e.g. ``"1g"``.
        pagecache: Neo4j page cache size, e.g. ``"256m"``.
        startup_timeout: seconds to wait for the server to accept Bolt connections.
    """

    def __init__(
        self,
        port: int | None = None,
        data_dir: Path | None = None,
        *,
        heap: str = "1g",
        pagecache: str = "256m",
        startup_timeout: float = 90.0,
    ) -> None:
        self.port = port
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.heap = heap
        self.pagecache = pagecache
        self.startup_timeout = startup_timeout
        self._owns_dir = False
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        """``bolt://127.0.0.1:PORT`` (known once started, or when a port was given)."""
        if self.port is None:
            raise RuntimeError("port not known yet: call start() first")
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """Process id of the JVM, or None when not running."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    @property
    def log_path(self) -> Path | None:
        """File with the JVM's stdout and stderr."""
        return self.data_dir / SERVER_LOG if self.data_dir is not None else None

    def start(self) -> Neo4jServer:
        """Build if needed, start the JVM and wait until Bolt accepts connections.

        Raises:
            Neo4jUnavailable: build failed, or the server exited or did not get ready in time
                (the message includes the tail of its logs; a temporary data dir is then kept).
        """
        if self._proc is not None:
            raise RuntimeError("already started")
        jar = build()
        java = _require("java")
        if self.data_dir is None:
            self.data_dir = Path(tempfile.mkdtemp(prefix="coco-neo4j-"))
            self._owns_dir = True
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.data_dir / SERVER_LOG
        cmd = [
            java,
            f"-Xmx{self.heap}",
            *JVM_FLAGS,
            "-jar",
            str(jar),
            str(self.data_dir),
            str(self.port or 0),
            "--stop-on-stdin-eof",
        ]
        env = {**os.environ, "NEO4J_PAGECACHE": self.pagecache}
        with open(log_path, "wb") as out:
            # Own process group: signals go to the JVM only. stdin is a pipe we never write:
            # if this Python process dies, the pipe closes and the server shuts itself down.
            self._proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        try:
            self._wait_ready(log_path)
        except BaseException:
            self.stop(keep_data=True)
            raise
        return self

    def _wait_ready(self, log_path: Path) -> None:
        """Poll the JVM output for the READY line (printed once Bolt accepts connections)."""
        assert self._proc is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            for line in log_path.read_text(errors="replace").splitlines():
                if line.startswith(READY_PREFIX):
                    self.port = int(line.rsplit(":", 1)[1])
                    return
            if self._proc.poll() is not None:
                reason = Msg(N_("Neo4j exited with code {code}"), code=self._proc.returncode)
                raise Neo4jUnavailable(self._failure(reason))
            time.sleep(0.1)
        raise Neo4jUnavailable(self._failure(Msg(N_("Neo4j not ready after {seconds} s"),
                                                 seconds=f"{self.startup_timeout:.0f}")))

    def _failure(self, reason: str) -> str:
        """One-line reason, then the tails of the JVM output and of Neo4j's debug.log (the
        reason worded where shown, in the reader's language; the logs as they are)."""
        assert self.data_dir is not None
        causes = [
            ln.strip()
            for ln in _tail(self.data_dir / SERVER_LOG, 200).splitlines()
            if ln.startswith(("Caused by:", "Exception in thread"))
        ]
        cause = causes[-1].removeprefix("Caused by: ") if causes else None
        # the innermost cause, e.g. "...: bind(..) failed ...: Address already in use"
        return Join(
            Msg(N_("{reason}: {cause} (data dir {folder})"), reason=reason, cause=cause,
                folder=self.data_dir) if cause else
            Msg(N_("{reason} (data dir {folder})"), reason=reason, folder=self.data_dir),
            f"\n--- {SERVER_LOG} ---\n{_tail(self.data_dir / SERVER_LOG, 40)}\n"
            f"--- logs/debug.log ---\n{_tail(self.data_dir / 'logs' / 'debug.log', 20)}")

    def wait(self) -> int:
        """Block until the server process exits; return its exit code."""
        if self._proc is None:
            raise RuntimeError("not started")
        return self._proc.wait()

    def stop(self, timeout: float = 30.0, keep_data: bool = False) -> None:
        """SIGTERM the server (clean shutdown), SIGKILL it after ``timeout`` s; idempotent.

        A temporary data dir made by ``start()`` is deleted unless ``keep_data``.
        """
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                except ProcessLookupError:
                    pass
            if proc.stdin is not None:
                proc.stdin.close()
        if self._owns_dir and not keep_data and self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> Neo4jServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """Run a dev server in the foreground until Ctrl-C (or until it exits)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--port", type=int, default=7687, help="Bolt port (0: any free port; default 7687)"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="keep the store here (default: a temporary dir, deleted on exit)",
    )
    parser.add_argument("--heap", default="1g", help="JVM max heap (default 1g)")
    parser.add_argument("--pagecache", default="256m", help="page cache (default 256m)")
    parser.add_argument("--build-only", action="store_true", help="build the jar and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        if args.build_only:
            print(build(force=True))
            return 0
        server = Neo4jServer(
            args.port or None, args.data_dir, heap=args.heap, pagecache=args.pagecache
        )
        server.start()
    except Neo4jUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Neo4j ready: {server.uri}  (data {server.data_dir}; Ctrl-C to stop)", flush=True)
    print(f"export NEO4J_URI={server.uri}", flush=True)
    # SIGTERM (e.g. from a CI script) unwinds like Ctrl-C, so the finally block stops the server
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        code = server.wait()
        print(f"Neo4j exited with code {code}; see {server.log_path}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("stopping...", file=sys.stderr)
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
