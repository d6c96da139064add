"""One benchmarked server process (Berth or the reference registry) on 127.0.0.1, shared by
run.py (the /v2 suite) and api_bench.py (the API suite): start it with its output going to a log
file, wait until GET /v2/ answers 200, read its CPU time and peak RSS from /proc, and stop it
(SIGTERM, then SIGKILL). The callers decide the command line, the environment and the data dir.

Also home of BenchError (the harness's one error type; run.py re-exports it) and the /proc readers,
so that this module depends on nothing else in bench/. Python 3 standard library only.
Not thread-safe: one owner drives one ServerProcess.
"""
from __future__ import annotations

import datetime
import http.client
import os
import signal
import socket
import subprocess
import time


class BenchError(Exception):
    pass


def proc_status_kib(pid: int, field: str):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def proc_cpu_seconds(pid: int):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def build_info(binary: str, repo_root: str) -> str:
    """What the reports say about a server binary: its build time and the tree's commit."""
    st = os.stat(binary)
    info = f"(built {datetime.datetime.fromtimestamp(st.st_mtime):%Y-%m-%d %H:%M})"
    try:
        rev = subprocess.run(["git", "-C", repo_root, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
        if rev:
            info += f", tree at commit {rev}"
    except (OSError, subprocess.TimeoutExpired):
        pass
    return info


def v2_status(port: int, auth: str | None, timeout: float = 2) -> int:
    """Status of one GET /v2/ on 127.0.0.1:port (with `Authorization: auth` unless None)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Length": "0"}
        if auth:
            headers["Authorization"] = auth
        conn.request("GET", "/v2/", headers=headers)
        r = conn.getresponse()
        r.read()
        return r.status
    finally:
        conn.close()


class ServerProcess:
    """A server process in its own session, its stdout and stderr in log_path; `name` is what error
    messages call it. Subclasses build the command and add their own set-up and clean-up."""

    def __init__(self, name: str, port: int, log_path: str):
        self.name = name
        self.port = port
        self.log_path = log_path
        self.proc = None
        self.logf = None

    def launch(self, cmd, env, append_log=False):
        self.logf = open(self.log_path, "ab" if append_log else "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.logf, stderr=subprocess.STDOUT, env=env,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    def wait_ready(self, auth, timeout=60.0, reject_401_after=None):
        """Polls GET /v2/ until it answers 200. With reject_401_after (seconds), a 401 still seen
        after that long is final (the admin password was not taken) instead of 'still starting'."""
        started = time.time()
        deadline = started + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name} exited with {self.proc.returncode} at startup: {self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                st = v2_status(self.port, auth)
                if st == 200:
                    return
                if st == 401 and reject_401_after is not None and time.time() - started > reject_401_after:
                    raise BenchError(f"{self.name}: GET /v2/ still answers 401 after {reject_401_after:.0f} s "
                                     f"(wrong BERTH_ADMIN_PASSWORD?): {self.log_tail()}")
            except (OSError, http.client.HTTPException):
                pass  # the listener is still coming up
            time.sleep(0.05)
        raise BenchError(f"{self.name} not ready on /v2/ after {timeout:.0f} s: {self.log_tail()}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def cpu_seconds(self):
        return proc_cpu_seconds(self.proc.pid)

    def memory_mib(self):
        """Anonymous memory (RssAnon) and proportional set size (Pss, from smaps_rollup) now, MiB.
        RSS counts each mapping of a file page: SQLite's memory map of the database, one per
        connection, makes VmHWM a multiple of the file's size while the memory is shared."""
        anon = proc_status_kib(self.proc.pid, "RssAnon")
        pss = None
        try:
            with open(f"/proc/{self.proc.pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss = int(line.split()[1])
        except OSError:
            pass
        return (anon / 1024 if anon is not None else None, pss / 1024 if pss is not None else None)

    def peak_rss_mib(self):
        kib = proc_status_kib(self.proc.pid, "VmHWM")
        return kib / 1024 if kib is not None else None

    def log_tail(self, n=800):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout=15):
        """SIGTERM, up to `timeout` seconds for a clean exit, then SIGKILL; closes the log."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        if self.logf is not None:
            self.logf.close()
            self.logf = None
