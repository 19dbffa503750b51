#!/bin/bash
# SPDX-License-Identifier: MIT
# Stops the sshd that tests/tools/start-sshd.sh started, with its sessions (libvirt's
# virt-ssh-helper, remote pwsh), and nothing else.
#   tests/tools/stop-sshd.sh [DIR]        (default: <repo>/output/ssh)
# Keys, known_hosts and the remote HOME stay in DIR for the next start.
set -u
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/../../output/ssh}
[ -d "$dir" ] || exit 0
dir=$(cd "$dir" && pwd)

pid=$(cat "$dir/sshd.pid" 2>/dev/null || true)
if [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-f $dir/sshd_config"; then
  # Its sessions first, while they are still its children: once the listener is gone they
  # belong to init and can no longer be told from anyone else's.
  descendants() { local p c; for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do echo "$c"; descendants "$c"; done; }
  victims=("$pid" $(descendants "$pid"))
  kill "${victims[@]}" 2>/dev/null
  for _ in $(seq 1 50); do
    alive=(); for p in "${victims[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
    [ ${#alive[@]} -eq 0 ] && break; sleep 0.1
  done
  [ ${#alive[@]} -gt 0 ] && kill -9 "${alive[@]}" 2>/dev/null
fi
rm -f "$dir/sshd.pid"
# /run/sshd only when start-sshd.sh made it and no other sshd needs it.
# Another sshd keeps it, and the mark stays for a later stop.
if [ -f "$dir/created-run-sshd" ] && ! pgrep -x sshd >/dev/null; then
  rmdir /run/sshd 2>/dev/null
  [ -d /run/sshd ] || rm -f "$dir/created-run-sshd"
fi
exit 0
