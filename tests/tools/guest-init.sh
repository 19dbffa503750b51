#!/bin/busybox sh
# /init of the end-to-end test guest (tests/tools/build-guest.sh puts it in the initramfs).
# Every case passes its parameters on the kernel command line, so one initramfs serves them all:
#   e2e.tag=<tag>      mount this tag with mount -t virtiofs (default mode)
#   e2e.mode=fstab     mount with the guest's own `mount -a` from /etc/fstab instead (e2e.mp = mount point)
#   e2e.mp=<dir>       mount point (default /mnt/e2e)
#   e2e.token=<token>  written back to the host, to prove this boot wrote the file
#   e2e.tag2=<tag>     afterwards, wait up to 60 s for a hot-plugged second share with this tag
#   e2e.rotag=<tag>    also mount this tag read-only-exported at /mnt/ro: read the host's file, then try
#                      to write (E2E_RO_WRITE rc=... err=...: a read-only share fails with EROFS)
#   e2e.mode=loop      after the checks, stay up: every 0.5 s answer a new ping.txt with pong.txt in
#                      each mounted share (E2E_PONG<suffix>), mount e2e.tag2 whenever it appears (hot-plug),
#                      and power off when the host creates poweroff-now in the first share
#   e2e.mode=agent     mount nothing: start Debian's qemu-ga on the org.qemu.guest_agent.0 port and
#                      stay up until the host's guest-shutdown (see the agent block below)
#   e2e.virtiofs=unloaded  (agent mode) leave fuse and virtiofs unloaded: modprobe, or the kernel's
#                      own request on `mount -t virtiofs`, loads them
# The host checks <share>/guest-wrote.txt (token plus the content of host-prepared.txt, which only a
# guest that read the host's file can know) and the E2E_* markers on the serial console.
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /mnt /etc
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "E2E_INIT_START uptime=$(cut -d' ' -f1 /proc/uptime)"

TAG=; TOKEN=none; TAG2=; ROTAG=; MODE=tag; MP=/mnt/e2e; VIRTIOFS=load
for a in $(cat /proc/cmdline); do
  case "$a" in
    e2e.tag=*)   TAG="${a#e2e.tag=}" ;;
    e2e.token=*) TOKEN="${a#e2e.token=}" ;;
    e2e.tag2=*)  TAG2="${a#e2e.tag2=}" ;;
    e2e.rotag=*) ROTAG="${a#e2e.rotag=}" ;;
    e2e.mode=*)  MODE="${a#e2e.mode=}" ;;
    e2e.mp=*)    MP="${a#e2e.mp=}" ;;
    e2e.virtiofs=*) VIRTIOFS="${a#e2e.virtiofs=}" ;;
  esac
done

# e2e.mode=agent: a guest driven only through the real qemu-ga, as Mount-VirtioFsShare drives one.
# Without udev nothing names the agent's port or starts the agent, so init does what Debian's udev
# rule and qemu-guest-agent.service would, then idles as PID 1 until guest-shutdown powers it off.
if [ "$MODE" = agent ]; then
  export PATH=/sbin:/usr/sbin:/bin:/usr/bin
  # /sbin/modprobe is what the kernel runs to load fs-virtiofs; /usr/bin as with Debian's merged /usr.
  busybox --install -s /sbin
  ln -s ../bin /usr/bin
  mkdir -p /run /var/log /tmp /usr/lib; ln -s ../run /var/run
  # guest-get-osinfo reads /etc/os-release (then /usr/lib/os-release); a Debian 12 guest has these.
  cat > /usr/lib/os-release <<'OSRELEASE'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
OSRELEASE
  ln -s ../usr/lib/os-release /etc/os-release
  # guest-shutdown makes qemu-ga run `/sbin/shutdown -h -P +0 "hypervisor initiated shutdown"`
  # (-H halt, -r reboot) and fail unless it exits 0. busybox has no shutdown: this one returns at
  # once and powers off a moment later, as systemd's does.
  rm -f /sbin/shutdown
  cat > /sbin/shutdown <<'SHUTDOWN'
#!/bin/sh
act=poweroff
for a in "$@"; do case "$a" in -r) act=reboot ;; -H) act=halt ;; esac; done
echo "E2E_AGENT_SHUTDOWN $act args=[$*]" > /dev/console
( sleep 1; sync; "$act" -f ) < /dev/null > /dev/null 2>&1 &
exit 0
SHUTDOWN
  chmod 755 /sbin/shutdown
  # modprobe reads /lib/modules/$(uname -r)/modules.dep (build-guest.sh writes it).
  mods="virtio_pci virtio_console"; [ "$VIRTIOFS" = unloaded ] || mods="$mods virtiofs"
  for m in $mods; do modprobe "$m" || echo "E2E_MODPROBE_FAIL $m"; done
  # The port is vportNpM; its name comes from the host a moment after virtio_console binds.
  port=; i=0
  while [ -z "$port" ] && [ $i -lt 100 ]; do
    for n in /sys/class/virtio-ports/*/name; do
      [ "$(cat "$n" 2>/dev/null)" = org.qemu.guest_agent.0 ] && port=$(basename "$(dirname "$n")")
    done
    [ -n "$port" ] && [ -c "/dev/$port" ] || { port=; sleep 0.1; i=$((i+1)); }
  done
  if [ -z "$port" ]; then
    echo "E2E_AGENT_NO_PORT (no org.qemu.guest_agent.0 channel; staying up)"
  else
    mkdir -p /dev/virtio-ports; ln -s "../$port" /dev/virtio-ports/org.qemu.guest_agent.0
    # Debian's unit runs plain /usr/sbin/qemu-ga: virtio-serial on the path above by default.
    /usr/sbin/qemu-ga -l /var/log/qemu-ga.log < /dev/null &
    pid=$!; echo "$pid" > /run/qemu-ga.pid
    echo "E2E_AGENT_READY port=$port pid=$pid token=$TOKEN uptime=$(cut -d' ' -f1 /proc/uptime)"
    wait "$pid"; echo "E2E_AGENT_EXITED rc=$? uptime=$(cut -d' ' -f1 /proc/uptime)"
  fi
  while :; do sleep 3600; done
fi

for m in $(cat /modules.order.e2e); do
  insmod "/lib/modules/$m" || echo "E2E_INSMOD_FAIL $m"
done

# check_share DIR SUFFIX: write the token and what the host wrote, show what the host wrote.
check_share() {
  host=$(cat "$1/host-prepared.txt" 2>/dev/null)
  if [ -n "$host" ]; then
    echo "E2E_HOSTFILE_BEGIN$2"; echo "$host"; echo "E2E_HOSTFILE_END$2"
  else
    echo "E2E_HOSTFILE_MISSING$2"
  fi
  printf 'hello-from-guest token=%s host-said=[%s] kernel=%s\n' "$TOKEN" "$host" "$(uname -r)" > "$1/guest-wrote$2.txt" && sync
  if [ -s "$1/guest-wrote$2.txt" ]; then echo "E2E_WRITE_OK$2"; else echo "E2E_WRITE_FAIL$2"; fi
  # Who owns what, as the guest sees it (ID mapping: the host's mapped id shows as root here).
  echo "E2E_OWNER$2 host-prepared.txt $(stat -c %u:%g "$1/host-prepared.txt" 2>/dev/null) guest-wrote$2.txt $(stat -c %u:%g "$1/guest-wrote$2.txt" 2>/dev/null) guest-uid $(id -u):$(id -g)"
}

mkdir -p "$MP"
if [ "$MODE" = fstab ]; then
  echo "E2E_FSTAB_BEGIN"; cat /etc/fstab; echo "E2E_FSTAB_END"
  mount -a; echo "E2E_MOUNT_A_RC $?"
else
  mount -t virtiofs "$TAG" "$MP"
fi
if grep -q " $MP virtiofs " /proc/mounts; then
  echo "E2E_MOUNT_OK mode=$MODE"
  grep " $MP " /proc/mounts
  check_share "$MP" ""
  umount "$MP" && echo "E2E_UMOUNT_OK"
else
  echo "E2E_MOUNT_FAIL mode=$MODE tag=$TAG"
  dmesg | tail -20
fi

if [ -n "$TAG2" ] && [ "$MODE" != loop ]; then
  echo "E2E_WAIT_TAG2 $TAG2"
  mkdir -p /mnt/e2e2; i=0
  while [ $i -lt 120 ]; do
    if mount -t virtiofs "$TAG2" /mnt/e2e2 2>/dev/null; then
      echo "E2E_TAG2_MOUNT_OK after ${i}x0.5s"
      check_share /mnt/e2e2 "-2"
      umount /mnt/e2e2; break
    fi
    sleep 0.5; i=$((i+1))
  done
  [ $i -ge 120 ] && { echo "E2E_TAG2_TIMEOUT"; dmesg | grep -iE "pcie|hotplug|virtio|fuse" | tail -20; }
fi

if [ -n "$ROTAG" ]; then
  mkdir -p /mnt/ro
  if mount -t virtiofs "$ROTAG" /mnt/ro; then
    echo "E2E_RO_MOUNT_OK tag=$ROTAG"
    host=$(cat /mnt/ro/host-prepared.txt 2>/dev/null)
    echo "E2E_HOSTFILE_BEGIN-ro"; echo "$host"; echo "E2E_HOSTFILE_END-ro"
    err=$( (echo "guest token=$TOKEN" > /mnt/ro/guest-wrote-ro.txt) 2>&1 ); rc=$?
    echo "E2E_RO_WRITE rc=$rc err=$err"
    err=$(touch /mnt/ro/host-prepared.txt 2>&1); echo "E2E_RO_TOUCH rc=$? err=$err"
  else
    echo "E2E_RO_MOUNT_FAIL tag=$ROTAG"
  fi
fi

if [ "$MODE" = loop ]; then
  # The share stays mounted: remount it when the first check unmounted it.
  grep -q " $MP virtiofs " /proc/mounts || mount -t virtiofs "$TAG" "$MP"
  echo "E2E_LOOP_READY token=$TOKEN uptime=$(cut -d' ' -f1 /proc/uptime)"
  last1=; last2=; n=0
  # pong DIR SUFFIX LAST: answers a ping in DIR that is not LAST (E2E_PONG<SUFFIX> on the console); sets
  # $seen to the ping now there, the LAST of the next turn.
  pong() {
    seen=$3
    p=$(cat "$1/ping.txt" 2>/dev/null)
    if [ -n "$p" ] && [ "$p" != "$3" ]; then
      if echo "pong $p n=$n" > "$1/pong.txt" && sync; then echo "E2E_PONG$2 $p"; else echo "E2E_PONG_FAIL$2 $p"; fi
      seen=$p
    fi
  }
  while [ ! -e "$MP/poweroff-now" ]; do
    n=$((n+1))
    pong "$MP" "" "$last1"; last1=$seen
    if [ -n "$TAG2" ]; then
      if ! grep -q " /mnt/e2e2 virtiofs " /proc/mounts; then
        mkdir -p /mnt/e2e2
        mount -t virtiofs "$TAG2" /mnt/e2e2 2>/dev/null && { echo "E2E_TAG2_MOUNT_OK n=$n"; check_share /mnt/e2e2 "-2"; }
      else
        pong /mnt/e2e2 -2 "$last2"; last2=$seen
      fi
    fi
    sleep 0.5
  done
  echo "E2E_LOOP_END n=$n"
fi
echo "E2E_DONE uptime=$(cut -d' ' -f1 /proc/uptime)"
poweroff -f
