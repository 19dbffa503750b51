#!/bin/bash
# SPDX-License-Identifier: MIT
# Starts a session libvirtd (qemu:///session) of an unprivileged user inside the Debian 13 root
# that tests/tools/start-trixie-libvirt.sh runs, waits until it answers and prints the URI the
# host's client uses: qemu+unix:///session?socket=<root>/run/user/<uid>/libvirt/libvirt-sock
#   tests/tools/start-trixie-session.sh [OUTDIR]     (default: <repo>/output/trixie)
# Idempotent. It ends with the root's namespace (tests/tools/stop-trixie-libvirt.sh).
#
# Why (the findings of issue 11, item c): libvirt 10+ runs virtiofsd as the session's user, and
# only an unprivileged virtiofsd can map IDs with a user namespace, which is what <idmap> asks
# for. The user, vfsuser (uid 2501), gets the subordinate ids 100000-165535 for newuidmap and
# newgidmap (package uidmap, in the root). A user namespace needs a process whose root is its
# mount namespace's root: the root is entered by pivot_root, not chroot, so this works inside.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../output/trixie}
fail() { echo "start-trixie-session: $*" >&2; exit 1; }
[ -d "$out" ] || fail "no $out: run tests/tools/build-trixie-root.sh first"
out=$(cd "$out" && pwd); root=$out/root; state=$out/state
[ "$(id -u)" = 0 ] || fail "must run as root"
user=vfsuser; uid=2501; sub=100000; count=65536
sock=$root/run/user/$uid/libvirt/libvirt-sock
[ ${#sock} -lt 108 ] || fail "the socket path $sock is longer than a unix socket allows (107 bytes): use a shorter OUTDIR"
uri="qemu+unix:///session?socket=$sock"
answers() { virsh -c "$uri" version >/dev/null 2>&1; }
if answers; then echo "$uri"; exit 0; fi

# The system daemons' namespace must run: this one lives in it.
bash "$here/start-trixie-libvirt.sh" "$out" >/dev/null
init=$(cat "$state/init.pid")
inside() { nsenter -t "$init" -m -p -r -w "$@"; }

# The user and its subordinate ids, once per root (the root's own passwd, not the host's).
if ! inside getent passwd "$user" >/dev/null; then
  inside useradd -m -u "$uid" -U -s /bin/bash "$user"
fi
[ "$(inside id -u "$user")" = "$uid" ] || fail "the root's user $user does not have uid $uid"
for f in /etc/subuid /etc/subgid; do
  grep -q "^$user:$sub:$count\$" "$root$f" 2>/dev/null || echo "$user:$sub:$count" >> "$root$f"
done
[ -u "$root/usr/bin/newuidmap" ] || fail "the root has no setuid newuidmap: rebuild it (tests/tools/build-trixie-root.sh installs uidmap)"

# XDG_RUNTIME_DIR: /run is emptied at every start of the namespace.
inside install -d -m 0700 -o "$uid" -g "$uid" "/run/user/$uid"
inside setpriv --reuid="$uid" --regid="$uid" --init-groups \
  env -i HOME="/home/$user" USER="$user" LOGNAME="$user" XDG_RUNTIME_DIR="/run/user/$uid" \
  PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 libvirtd --daemon
for _ in $(seq 1 300); do
  if answers; then echo "$uri"; exit 0; fi
  sleep 0.1
done
fail "the session libvirtd of $user did not answer on $uri within 30 s; see $root/home/$user/.cache/libvirt/libvirtd.log"
