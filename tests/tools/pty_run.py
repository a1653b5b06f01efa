"""Runs a command on a pseudo-terminal and copies what it wrote there.

Usage: python3 tests/tools/pty_run.py COMMAND [ARG...]

The command's standard input, output and error are the terminal, as when a
person runs it; everything it writes comes out on this program's standard
output byte for byte (the terminal turns "\\n" into "\\r\\n").  Exits with
the command's status.
"""
import os
import pty
import sys


def main(argv):
    if not argv:
        print("usage: pty_run.py COMMAND [ARG...]", file=sys.stderr)
        return 2
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    out = bytearray()
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the command closed the terminal
            break
        if not data:
            break
        out += data
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    return 128 + os.WTERMSIG(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
