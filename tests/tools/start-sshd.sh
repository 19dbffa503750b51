#!/bin/bash
# SPDX-License-Identifier: MIT
# Starts a private sshd for the remote-host tests: 127.0.0.2, 127.0.0.3 and 127.0.0.4 each stand
# for another libvirt host (all of them reach this machine's libvirtd), over a real SSH transport.
#   tests/tools/start-sshd.sh [DIR]        (default: <repo>/output/ssh)
# Everything lives in DIR: host key, sshd_config, pid file, log, the client key pair (id_ed25519),
# known_hosts for the three addresses, an ssh_config for `ssh -F`, `ssh` (that ssh -F, for libvirt's
# command= URI parameter) and `port` (the port, on one line). A URI that reads nothing in ~/.ssh:
#   qemu+ssh://root@127.0.0.2:PORT/system?command=DIR/ssh&keyfile=DIR/id_ed25519&no_tty=1
# (qemu+libssh:// honours keyfile=, known_hosts= and sshauth=privkey without the wrapper.)
# Loopback addresses only, on a free port, key-only root login; /etc/ssh and ~/.ssh are not used.
# The powershell subsystem runs the repository's pinned pwsh with -sshs and HOME=DIR/home, so a
# module installed "on the remote host" stays out of the real user's module path.
# Idempotent: a running instance is reused. tests/tools/stop-sshd.sh stops exactly this sshd.
# Prints one line: the port and a libvirt URI that works.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${1:-$root/output/ssh}
mkdir -p "$dir"; dir=$(cd "$dir" && pwd)
chmod 700 "$dir"
addrs=(127.0.0.2 127.0.0.3 127.0.0.4)

sshd=/usr/sbin/sshd
[ -x "$sshd" ] || { echo "start-sshd: $sshd is missing: apt-get install openssh-server" >&2; exit 1; }
for cmd in ssh ssh-keygen; do
  command -v "$cmd" >/dev/null || { echo "start-sshd: '$cmd' is missing: apt-get install openssh-client" >&2; exit 1; }
done

uri() { echo "qemu+ssh://root@127.0.0.2:$1/system?command=$dir/ssh&keyfile=$dir/id_ed25519&no_tty=1"; }
# Only our sshd counts as running: a pid file naming another program (a reused pid) does not.
ours() { local pid; pid=$(cat "$dir/sshd.pid" 2>/dev/null) && [ -n "$pid" ] &&
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-f $dir/sshd_config"; }
# A real key login on every address: proves the port, the host key and the client key at once.
login_ok() { local a; for a in "${addrs[@]}"; do
  ssh -F "$dir/ssh_config" -o ConnectTimeout=5 "$a" true </dev/null >/dev/null 2>&1 || return 1; done; }

# What this script writes changes with it: a running sshd set up by another version is restarted.
stamp=$(sha256sum < "$0" | cut -c1-16)
if ours && [ -s "$dir/port" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ] && login_ok; then
  echo "start-sshd: running on port $(cat "$dir/port") (pid $(cat "$dir/sshd.pid")): $(uri "$(cat "$dir/port")")"
  exit 0
fi
if ours; then bash "$here/stop-sshd.sh" "$dir" >/dev/null; fi

# Keys: made once, kept across restarts so known_hosts and the client key stay valid.
[ -s "$dir/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C "virtiofs-test-host" -f "$dir/ssh_host_ed25519_key"
[ -s "$dir/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "virtiofs-test-client" -f "$dir/id_ed25519"
cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
chmod 600 "$dir/ssh_host_ed25519_key" "$dir/id_ed25519" "$dir/authorized_keys"

# The remote side of PowerShell remoting: the same pinned pwsh as the build, run directly (the
# dotnet tool shim would add a process and needs the repository as its working directory).
mkdir -p "$dir/home"
if [ ! -x "$dir/pwsh-sshs" ] || ! grep -q "^# pwsh-sshs for $root\$" "$dir/pwsh-sshs" ||
   [ ! -f "$(sed -n 's/^pwsh_dll=//p' "$dir/pwsh-sshs" | tr -d "'")" ]; then
  command -v dotnet >/dev/null || { echo "start-sshd: 'dotnet' is missing (the .NET SDK)" >&2; exit 1; }
  dotnet=$(readlink -f "$(command -v dotnet)")
  (cd "$root" && dotnet tool restore >/dev/null) || { echo "start-sshd: 'dotnet tool restore' failed in $root" >&2; exit 1; }
  pshome=$(cd "$root" && dotnet pwsh -NoProfile -NonInteractive -Command '$PSHOME' </dev/null | tail -1)
  [ -f "$pshome/pwsh.dll" ] || { echo "start-sshd: cannot find the pinned pwsh (\$PSHOME was '$pshome')" >&2; exit 1; }
  cat > "$dir/pwsh-sshs.tmp" <<EOF
#!/bin/sh
# pwsh-sshs for $root
# Written by tests/tools/start-sshd.sh: sshd's powershell subsystem. The "remote" user's HOME
# is $dir/home, so its modules, PSResourceGet repositories and history stay there.
pwsh_dll='$pshome/pwsh.dll'
export HOME='$dir/home'
unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME PSModulePath
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off
cd "\$HOME"
exec '$dotnet' "\$pwsh_dll" -sshs -NoLogo -NoProfile
EOF
  chmod 755 "$dir/pwsh-sshs.tmp"; mv "$dir/pwsh-sshs.tmp" "$dir/pwsh-sshs"
fi

# sshd needs its privilege separation directory; the package's init script would make it.
# stop-sshd.sh removes it again when it made it and no other sshd runs.
need_run_sshd() { if [ ! -d /run/sshd ]; then mkdir -p /run/sshd; chmod 755 /run/sshd; touch "$dir/created-run-sshd"; fi; }

write_config() {
  local port=$1 a
  {
    echo "# Written by tests/tools/start-sshd.sh; loopback only, key-only root login."
    echo "Port $port"
    echo "AddressFamily inet"
    for a in "${addrs[@]}"; do echo "ListenAddress $a"; done
    echo "HostKey $dir/ssh_host_ed25519_key"
    echo "PidFile $dir/sshd.pid"
    echo "AuthorizedKeysFile $dir/authorized_keys"
    echo "AllowUsers root"
    echo "PermitRootLogin prohibit-password"
    echo "PubkeyAuthentication yes"
    echo "PasswordAuthentication no"
    echo "KbdInteractiveAuthentication no"
    # No PAM: Debian's stack wants pam_loginuid, which fails without a real login session here.
    echo "UsePAM no"
    # The key files' parent folders (the checkout) are not ours to tighten.
    echo "StrictModes no"
    echo "PermitUserRC no"
    echo "UseDNS no"
    echo "PrintMotd no"
    echo "X11Forwarding no"
    echo "AllowTcpForwarding no"
    echo "AllowAgentForwarding no"
    # Tests open many connections at once (libvirt, remoting, failure cases).
    echo "MaxStartups 64:30:128"
    echo "MaxSessions 32"
    echo "LogLevel VERBOSE"
    echo "Subsystem powershell $dir/pwsh-sshs"
  } > "$dir/sshd_config"
  {
    echo "# Written by tests/tools/start-sshd.sh: ssh -F $dir/ssh_config 127.0.0.2"
    echo "Host ${addrs[*]}"
    echo "  Port $port"
    echo "  User root"
    echo "  IdentityFile $dir/id_ed25519"
    echo "  IdentitiesOnly yes"
    # The rest holds for any host reached with this config (command=DIR/ssh), test host or not.
    echo "Host *"
    echo "  UserKnownHostsFile $dir/known_hosts"
    echo "  GlobalKnownHostsFile /dev/null"
    echo "  StrictHostKeyChecking yes"
    echo "  BatchMode yes"
    # ssh waits for a silent peer's banner forever, and libvirt with it: fail instead.
    echo "  ConnectTimeout 10"
    echo "  ServerAliveInterval 10"
    echo "  ServerAliveCountMax 3"
  } > "$dir/ssh_config"
  # libvirt's ssh transport runs plain `ssh` and ignores known_hosts= (a libssh/libssh2 parameter);
  # with no_verify=1 it would write to ~/.ssh/known_hosts. Its command= parameter takes this instead.
  { echo '#!/bin/sh'
    echo "# Written by tests/tools/start-sshd.sh, for libvirt URIs: command=$dir/ssh"
    echo "exec $(command -v ssh) -F $dir/ssh_config \"\$@\""
  } > "$dir/ssh"
  chmod 755 "$dir/ssh"
  local key; key=$(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")
  for a in "${addrs[@]}"; do echo "[$a]:$port $key"; done > "$dir/known_hosts"
}

# A free port: try a few random ones; sshd exits when it can bind none, and a port taken on one
# address only shows in the login check.
for _ in $(seq 1 20); do
  port=$(( 20000 + RANDOM % 40000 ))
  if ss -Hltn 2>/dev/null | awk '{print $4}' | grep -qE ":$port\$"; then continue; fi
  write_config "$port"
  rm -f "$dir/sshd.pid"
  need_run_sshd
  "$sshd" -t -f "$dir/sshd_config" || { echo "start-sshd: sshd rejects $dir/sshd_config" >&2; exit 1; }
  if "$sshd" -f "$dir/sshd_config" -E "$dir/sshd.log" </dev/null; then
    for _ in $(seq 1 50); do [ -s "$dir/sshd.pid" ] && break; sleep 0.1; done
    if ours && login_ok; then
      echo "$port" > "$dir/port"; echo "$stamp" > "$dir/stamp"
      echo "start-sshd: started on port $port (pid $(cat "$dir/sshd.pid")): $(uri "$port")"
      exit 0
    fi
    ours && bash "$here/stop-sshd.sh" "$dir" >/dev/null
  fi
done
echo "start-sshd: no working port after 20 tries; see $dir/sshd.log" >&2
exit 1
