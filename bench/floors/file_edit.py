# SPDX-License-Identifier: MIT
"""Floor for New-VirtioFsShare -Path: the same job on domain XML files, with nothing but Python.

A worker the benchmark keeps running, so batches of both sides can alternate in time:
stdin, one JSON object per line: first {"tag": "data", "source": "/dir", "lockdir": "/run/lock/..."},
then {"files": [...]} per batch; stdout, one line per batch: {"seconds": <that batch alone>, "count": n}.

Per file, what the module's FileDomainTarget and AtomicFile do, and no more:
  1. a writers' lock: a lock file in the lock directory named by a hash of the file's real path,
     opened with O_CREAT|O_NOFOLLOW and flock()ed exclusively, held until the file is written;
  2. read the bytes, decode UTF-8, parse and edit (share_edit.edit);
  3. the backup: the old bytes to a temp file in the same directory with the file's mode, chmod and
     chown to the file's mode and owner, fsync, rename to <file>.bak;
  4. the new bytes the same way, renamed over the file;
  5. fsync of the directory, so both renames survive a power cut.
The interpreter's start-up, imports and reading the request are outside the timing.
"""
import fcntl
import hashlib
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import share_edit  # noqa: E402


def write_via_temp(directory, final, data, mode, uid, gid):
    temp = os.path.join(directory, ".%s.%d.%s.tmp" % (os.path.basename(final), os.getpid(), os.urandom(16).hex()))
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fchmod(fd, mode)  # the umask may have masked bits off
        os.fchown(fd, uid, gid)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(temp, final)


def edit_file(path, tag, source, lockdir):
    real = os.path.realpath(path)
    lock_name = "floor-%s.lock" % hashlib.sha256(real.encode()).hexdigest()[:24]
    lock = os.open(os.path.join(lockdir, lock_name), os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with open(real, "rb") as f:
            old = f.read()
        new = share_edit.edit(old.decode("utf-8"), tag, source).encode("utf-8")
        st = os.stat(real)
        directory = os.path.dirname(real)
        write_via_temp(directory, real + ".bak", old, st.st_mode & 0o7777, st.st_uid, st.st_gid)
        write_via_temp(directory, real, new, st.st_mode & 0o7777, st.st_uid, st.st_gid)
        dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    finally:
        os.close(lock)  # releases the flock


def main():
    config = json.loads(sys.stdin.readline())
    if not os.path.isdir(config["source"]):
        raise SystemExit("source %s is not a directory" % config["source"])
    for line in sys.stdin:
        files = json.loads(line)["files"]
        start = time.perf_counter()
        for path in files:
            edit_file(path, config["tag"], config["source"], config["lockdir"])
        seconds = time.perf_counter() - start
        print(json.dumps({"seconds": seconds, "count": len(files)}), flush=True)


if __name__ == "__main__":
    main()
