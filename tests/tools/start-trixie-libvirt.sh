#!/bin/bash
# SPDX-License-Identifier: MIT
# Starts virtlogd and libvirtd of the Debian 13 root (tests/tools/build-trixie-root.sh) in a
# mount and PID namespace of their own, waits until they answer and prints the URI the host's
# client uses, e.g. qemu+unix:///system?socket=<root>/run/libvirt/libvirt-sock.
#   tests/tools/start-trixie-libvirt.sh [OUTDIR]     (default: <repo>/output/trixie)
# Idempotent: prints the URI of daemons already running. tests/tools/stop-trixie-libvirt.sh stops
# them. Commands inside the root (its virtiofsd, virsh, a session libvirtd):
#   nsenter -t "$(cat OUTDIR/state/init.pid)" -m -p -r -w CMD...
#
# The layout, and why (/work/shared/docs/real-guest-notes.md, item 9):
# - A plain chroot breaks libvirt's per-guest mount namespace and the Rust virtiofsd's sandbox:
#   the root is bound onto itself and pivot_root'ed into, in a private mount namespace.
# - Every mount lives in that namespace, so the host's mount table never changes and the
#   kernel drops all of them with the namespace. The PID namespace makes the end exact: killing
#   its init kills every process started inside (daemons, QEMU, virtiofsd), and nothing else.
# - /run is the root's directory on disk, not a tmpfs: a tmpfs mounted inside would hide the
#   socket from the host. It is emptied before each start.
# - /dev is a small tmpfs of our own with no kvm node: the guests of these tests use TCG, the
#   host's /dev/kvm (whose owner other engineers' scripts change) cannot be touched from inside,
#   and libvirt never sees KVM change under it (which makes it re-probe QEMU on every call).
# - The host's /tmp (guest kernels, shared directories of the tests) and /dev/hugepages (when
#   mounted: libvirt reads hugetlbfs mounts only at start) appear at the same paths inside.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../output/trixie}
fail() { echo "start-trixie-libvirt: $*" >&2; exit 1; }
[ -d "$out" ] || fail "no $out: run tests/tools/build-trixie-root.sh first"
out=$(cd "$out" && pwd); root=$out/root; state=$out/state
[ "$(id -u)" = 0 ] || fail "must run as root"
[ -x "$root/usr/sbin/libvirtd" ] || fail "no trixie root in $root: run tests/tools/build-trixie-root.sh"
for cmd in unshare nsenter virsh mountpoint; do
  command -v "$cmd" >/dev/null || fail "'$cmd' is missing: apt-get install util-linux libvirt-clients"
done
sock=$root/run/libvirt/libvirt-sock
[ ${#sock} -lt 108 ] || fail "the socket path $sock is longer than a unix socket allows (107 bytes): use a shorter OUTDIR"
uri="qemu+unix:///system?socket=$sock"
answers() { virsh -c "$uri" version >/dev/null 2>&1; }

# Ours is running when init.pid is alive and still in the namespace we recorded.
running() {
  [ -s "$state/init.pid" ] && [ -s "$state/mntns" ] &&
    [ "$(readlink "/proc/$(cat "$state/init.pid")/ns/mnt" 2>/dev/null)" = "$(cat "$state/mntns")" ]
}
if running; then
  for _ in $(seq 1 600); do answers && { echo "$uri"; exit 0; }; sleep 0.1; done
  fail "the daemons of $root run (init pid $(cat "$state/init.pid")) but do not answer on $uri; see $state/ns.log, $root/var/log/libvirt"
fi
[ -d "$state" ] && { bash "$here/stop-trixie-libvirt.sh" "$out" >/dev/null 2>&1 || true; }

if kvm_gid=$(getent group kvm | cut -d: -f3) && [ -n "$kvm_gid" ]; then
  root_gid=$(awk -F: '$1 == "kvm" { print $3 }' "$root/etc/group")
  [ "$root_gid" = "$kvm_gid" ] || fail "the root's kvm gid ($root_gid) is not the host's ($kvm_gid): rebuild it with tests/tools/build-trixie-root.sh after removing $out/stamp"
fi

mkdir -p "$state"
# A fresh /run: nothing of the last run's pid files, sockets or domain status may survive.
find "$root/run" -mindepth 1 -xdev -delete
mkdir -p "$root/run/lock" "$root/run/user"; chmod 1777 "$root/run/lock"
# The machine cgroups that exist now are not ours; stop-trixie-libvirt.sh only removes others.
for d in /sys/fs/cgroup/*/machine /sys/fs/cgroup/machine; do [ -d "$d" ] && echo "$d"; done > "$state/cgroups-before"
hugepages=no; mountpoint -q /dev/hugepages && hugepages=yes

# PID 1 of the new namespaces: mounts, pivot_root, the daemons, then it only reaps orphans.
init_script='
set -eu
r=$1; hugepages=$2
mount --bind "$r" "$r"
mount -t proc -o nosuid,nodev,noexec proc "$r/proc"
mount --rbind /sys "$r/sys"
mount -t tmpfs -o mode=0755,nosuid,size=65536k vfs-trixie-dev "$r/dev"
for n in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" "urandom 1 9" "tty 5 0"; do
  read -r name maj min <<< "$n"; mknod -m 666 "$r/dev/$name" c "$maj" "$min"
done
mkdir -p "$r/dev/net" "$r/dev/pts" "$r/dev/shm" "$r/dev/mqueue"
mknod -m 666 "$r/dev/net/tun" c 10 200
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$r/dev/pts"; ln -s pts/ptmx "$r/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$r/dev/shm"
mount -t mqueue mqueue "$r/dev/mqueue" || true
ln -s /proc/self/fd "$r/dev/fd"; ln -s fd/0 "$r/dev/stdin"; ln -s fd/1 "$r/dev/stdout"; ln -s fd/2 "$r/dev/stderr"
if [ "$hugepages" = yes ]; then mkdir "$r/dev/hugepages"; mount --bind /dev/hugepages "$r/dev/hugepages"; fi
mount --rbind /tmp "$r/tmp"
cd "$r"; mkdir -p .oldroot; pivot_root . .oldroot; cd /
umount -l /.oldroot; rmdir /.oldroot
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
virtlogd -d
libvirtd -d
echo "start-trixie-libvirt: namespace ready, virtlogd and libvirtd started"
while :; do sleep 3600 & wait $! || true; done
'
echo "$root" > "$state/root"
# From a file, so ps shows a short line; bash keeps it open after pivot_root hides the path.
printf '%s' "$init_script" > "$state/vfs-trixie-init.sh"
setsid unshare --mount --propagation private --pid --fork --kill-child -- \
  /bin/bash "$state/vfs-trixie-init.sh" "$root" "$hugepages" < /dev/null > "$state/ns.log" 2>&1 &
unshare_pid=$!
echo "$unshare_pid" > "$state/unshare.pid"
init_pid=
for _ in $(seq 1 50); do
  init_pid=$(cat "/proc/$unshare_pid/task/$unshare_pid/children" 2>/dev/null | awk '{print $1}')
  [ -n "$init_pid" ] && break; sleep 0.1
done
[ -n "$init_pid" ] || fail "unshare did not start the namespace: $(cat "$state/ns.log")"
echo "$init_pid" > "$state/init.pid"
readlink "/proc/$init_pid/ns/pid" > "$state/pidns"
# The mount namespace is the new one only once unshare has entered it: wait for that.
for _ in $(seq 1 50); do
  [ "$(readlink "/proc/$init_pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] && break; sleep 0.1
done
readlink "/proc/$init_pid/ns/mnt" > "$state/mntns"

# The first start probes QEMU 10 (several seconds on a busy 2-core machine).
for _ in $(seq 1 1200); do
  if answers; then echo "$uri"; exit 0; fi
  kill -0 "$init_pid" 2>/dev/null || { cat "$state/ns.log" >&2; bash "$here/stop-trixie-libvirt.sh" "$out" >/dev/null 2>&1; fail "the namespace ended before libvirtd answered (log above)"; }
  sleep 0.1
done
fail "libvirtd did not answer on $uri within 120 s; see $state/ns.log and $root/var/log/libvirt/; stop it with tests/tools/stop-trixie-libvirt.sh"
