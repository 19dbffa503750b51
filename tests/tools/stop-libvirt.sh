#!/bin/bash
# Stops what start-libvirt.sh started, and nothing else.
set -u
state=/run/virtiofs-tests
stop() { local pidf=$1; [ -f "$pidf" ] || return 0; local pid; pid=$(cat "$pidf")
  kill "$pid" 2>/dev/null; for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done; kill -9 "$pid" 2>/dev/null; }
[ -f "$state/started-libvirtd" ] && { stop /run/libvirtd.pid; rm -f "$state/started-libvirtd"; }
[ -f "$state/started-virtlogd" ] && { stop /run/virtlogd.pid; rm -f "$state/started-virtlogd"; }
# libvirt without systemd leaves empty machine cgroups behind.
for d in /sys/fs/cgroup/*/machine /sys/fs/cgroup/machine; do
  [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
done
if [ -f "$state/mounted-hugetlbfs" ]; then umount /dev/hugepages 2>/dev/null; rm -f "$state/mounted-hugetlbfs"; fi
if [ -f "$state/created-hugepages-dir" ]; then rmdir /dev/hugepages 2>/dev/null; rm -f "$state/created-hugepages-dir"; fi
if [ -f "$state/kvm-was" ] && [ -c /dev/kvm ]; then
  read -r owner mode < "$state/kvm-was"; chown "$owner" /dev/kvm; chmod "$mode" /dev/kvm; rm -f "$state/kvm-was"
fi
exit 0
