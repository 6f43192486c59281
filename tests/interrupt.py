#!/usr/bin/env python3
"""interrupt.py WHEN parent|group COMMAND... - start COMMAND in a session
of its own, send SIGINT after WHEN seconds to it alone (parent) or to its
whole process group (group, as Ctrl-C at a terminal does), wait for it,
and print its exit code, then every process it left behind. WHEN may be
file:PATH: one second after PATH exists (waited for up to 300 s), so that
a slow machine does not interrupt too early.

This process makes itself a child subreaper (prctl), so that whatever
COMMAND leaves when it exits, running or a zombie it did not reap,
becomes a child of this process and is seen here before anybody reaps
it. Output: "exit N", then one "left PID STATE COMM" line a process.
"""
import ctypes
import os
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def main():
    when, target, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("interrupt.py: prctl: errno %d" % ctypes.get_errno(), file=sys.stderr)
        return 2
    pid = os.fork()
    if pid == 0:
        os.setsid()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.execvp(cmd[0], cmd)
    if when.startswith("file:"):
        deadline = time.monotonic() + 300
        while not os.path.exists(when[5:]) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
    else:
        time.sleep(float(when))
    os.kill(-pid if target == "group" else pid, signal.SIGINT)
    _, status = os.waitpid(pid, 0)
    print("exit %d" % os.waitstatus_to_exitcode(status))
    time.sleep(0.3)  # orphans reach us
    me = os.getpid()
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            stat = open("/proc/%s/stat" % p).read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == me:
            print("left %s %s %s" % (p, fields[0], comm))
    for p in os.listdir("/proc"):  # clean up: kill and reap what was left
        try:
            os.kill(int(p), signal.SIGKILL) if p.isdigit() and int(p) != me and \
                int(open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()[1]) == me else None
        except (OSError, ValueError):
            pass
    try:
        while os.waitpid(-1, 0):
            pass
    except ChildProcessError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
