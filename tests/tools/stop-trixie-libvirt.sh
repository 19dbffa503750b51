#!/bin/bash
# SPDX-License-Identifier: MIT
# Stops what tests/tools/start-trixie-libvirt.sh started, and nothing else: the daemons get a
# SIGTERM, then the init of their PID namespace a SIGKILL, after which the kernel kills every
# process left inside (QEMU, virtiofsd, a session libvirtd) and drops the namespace's mounts.
#   tests/tools/stop-trixie-libvirt.sh [OUTDIR]      (default: <repo>/output/trixie)
# Guests still running are killed, not shut down; their definitions stay in the root.
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../output/trixie}
[ -d "$out/state" ] || { echo "stop-trixie-libvirt: nothing to stop ($out/state does not exist)"; exit 0; }
out=$(cd "$out" && pwd); state=$out/state; root=$out/root

ns_of() { readlink "/proc/$1/ns/$2" 2>/dev/null; }
init_pid=$(cat "$state/init.pid" 2>/dev/null)
pidns=$(cat "$state/pidns" 2>/dev/null)
mntns=$(cat "$state/mntns" 2>/dev/null)
# Pids whose namespace of kind $1 is $2 (one pass over /proc; the brackets of 'pid:[N]' escaped).
in_ns() { find /proc -mindepth 3 -maxdepth 3 -path "/proc/[0-9]*/ns/$1" -lname "$(printf '%s' "$2" | sed 's/[][*?\\]/\\&/g')" 2>/dev/null | cut -d/ -f3; }
# Members: processes in our PID namespace, and their descendants (virtiofsd's sandbox and
# libvirt's per-guest namespaces nest new ones below it).
members() {
  [ -n "$pidns" ] || return 0
  { in_ns pid "$pidns" | sed 's/^/in /'; ps -e -o pid=,ppid=; } | awk '
    $1 == "in" { in_ns[$2] = 1; next }
    { pid[++n] = $1; ppid[n] = $2 }
    END { do { added = 0; for (i = 1; i <= n; i++) if (!(pid[i] in in_ns) && (ppid[i] in in_ns)) { in_ns[pid[i]] = 1; added = 1 } } while (added)
          for (p in in_ns) print p }'
}
ours=$([ -n "$init_pid" ] && [ "$(ns_of "$init_pid" pid)" = "$pidns" ] && echo yes)
if [ -n "$ours" ]; then
  # Domain names first: their empty cgroups are removed below.
  sock=$root/run/libvirt/libvirt-sock
  timeout 10 virsh -c "qemu+unix:///system?socket=$sock" list --all --name 2>/dev/null | grep . > "$state/domains" || true
  for p in $(members); do
    case "$(cat "/proc/$p/comm" 2>/dev/null)" in libvirtd|virtlogd) kill -TERM "$p" 2>/dev/null ;; esac
  done
  # libvirtd 11 takes 30 s to give up on its graceful shutdown here ("Make forcefull daemon
  # shutdown"); a short grace is enough: its state in /run is thrown away at the next start.
  for _ in $(seq 1 30); do
    busy=
    for p in $(members); do case "$(cat "/proc/$p/comm" 2>/dev/null)" in libvirtd|virtlogd) busy=1 ;; esac; done
    [ -z "$busy" ] && break; sleep 0.1
  done
  left=$(members)
  kill -KILL "$init_pid" 2>/dev/null
  for _ in $(seq 1 100); do
    alive=; for p in $left; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
    [ -z "$alive" ] && break; sleep 0.1
  done
  [ -n "$alive" ] && { echo "stop-trixie-libvirt: processes still alive:$alive" >&2; exit 1; }
fi
upid=$(cat "$state/unshare.pid" 2>/dev/null)
if [ -n "$upid" ] && [ "$(cat "/proc/$upid/comm" 2>/dev/null)" = unshare ] && [ -z "$ours" ]; then kill -KILL "$upid" 2>/dev/null; fi
# The namespace is gone when no process holds its mount namespace any more.
if [ -n "$mntns" ]; then
  for _ in $(seq 1 50); do
    held=$(in_ns mnt "$mntns")
    [ -z "$held" ] && break; sleep 0.1
  done
  [ -n "$held" ] && { echo "stop-trixie-libvirt: the namespace's mounts are still held by pid(s) $held" >&2; exit 1; }
fi
# libvirt without systemd leaves the guests' empty cgroups behind: remove those of our domains,
# and a machine cgroup that did not exist before the start, when it is empty.
if [ -s "$state/domains" ]; then
  while read -r name; do
    for d in /sys/fs/cgroup/*/machine /sys/fs/cgroup/machine; do
      [ -d "$d" ] || continue
      for g in "$d"/qemu-*-"$name".libvirt-qemu; do
        [ -d "$g" ] && find "$g" -depth -type d -print0 | xargs -0r rmdir 2>/dev/null
      done
    done
  done < "$state/domains"
fi
for d in /sys/fs/cgroup/*/machine /sys/fs/cgroup/machine; do
  [ -d "$d" ] && ! grep -qxF "$d" "$state/cgroups-before" 2>/dev/null && rmdir "$d" 2>/dev/null
done
rm -rf "$state"
echo "stop-trixie-libvirt: stopped"
exit 0
