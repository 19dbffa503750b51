// SPDX-License-Identifier: MIT
using System;
using VirtioFs.Errors;

namespace VirtioFs.Libvirt;

/// <summary>
/// Turns a failed virConnectOpenAuth into the error an admin can act on. With the ssh transport libvirt
/// reports every failure as VIR_ERR_SYSTEM_ERROR from VIR_FROM_RPC (38/7) and passes ssh's own stderr as
/// the message, so the message decides: measured on libvirt 9.0 with OpenSSH 9.2 and libssh.
/// </summary>
internal static class ConnectFailure
{
    public static VirtioFsException Classify(LibvirtUri uri, int code, string message)
    {
        string shown = uri.Text;
        string host = uri.Host.Length == 0 ? "this host" : uri.Host + (uri.Port is int p ? ":" + p : string.Empty);
        if (Has(message, "Host key verification failed", "host key is known", "was not accepted", "Can't verify the session host key", "REMOTE HOST IDENTIFICATION HAS CHANGED"))
        {
            return new VirtioFsException(ErrorIds.SshHostKeyUnknown, VirtioFsErrorKind.SecurityError,
                $"Cannot connect to libvirt at '{shown}': the SSH host key of {host} is not known (or has changed), so the connection was refused. {message}", shown,
                $"Check the key out of band, then add it to known_hosts (ssh-keyscan -p PORT {uri.Host} >> ~/.ssh/known_hosts after comparing fingerprints), or name a known_hosts file (libssh: known_hosts=FILE; ssh: command= a wrapper with -o UserKnownHostsFile=FILE). Never skip the check in production.");
        }
        if (Has(message, "Permission denied (", "failed to authenticate", "authentication failed", "Authentication failed", "Too many authentication failures") || code == 45)
        {
            return new VirtioFsException(ErrorIds.SshAuthFailed, VirtioFsErrorKind.PermissionDenied,
                $"Cannot connect to libvirt at '{shown}': {host} refused the SSH login ({message})", shown,
                "Give a key the host accepts: keyfile=/path/to/key in the URI (and for libssh sshauth=privkey), or load it into ssh-agent; check that its public key is in ~/.ssh/authorized_keys of the remote user. The module never prompts for a password.");
        }
        if (Has(message, "Connection refused", "Could not resolve hostname", "Name or service not known", "No route to host", "timed out during banner exchange",
                "Connection timed out", "unable to connect to server", "Network is unreachable", "Timeout connecting"))
        {
            return new VirtioFsException(ErrorIds.HostUnreachable, VirtioFsErrorKind.ConnectionError,
                $"Cannot connect to libvirt at '{shown}': {host} cannot be reached ({message})", shown,
                "Check the host name and port, that sshd (or libvirtd for tcp/tls) listens there and that no firewall is in the way: ssh -p PORT user@host true.");
        }
        if (Has(message, "virt-ssh-helper: cannot connect to", "nc: not found", "Failed to connect socket to", "libvirt-sock': No such file", "Remote command terminated with non-zero code"))
        {
            return new VirtioFsException(ErrorIds.LibvirtNotRunning, VirtioFsErrorKind.ConnectionError,
                $"Cannot connect to libvirt at '{shown}': libvirtd (or virtqemud) is not running on {host} ({message})", shown,
                uri.IsThisHost
                    ? "Start it: systemctl start libvirtd (or virtqemud.socket on modular setups); run as root or as a member of the libvirt group."
                    : "Start it on that host: systemctl start libvirtd (or virtqemud.socket), and check that the libvirt-daemon package (which has virt-ssh-helper) is installed there.");
        }
        return new VirtioFsException(ErrorIds.LibvirtConnectFailed, VirtioFsErrorKind.ConnectionError,
            $"Cannot connect to libvirt at '{shown}': {message}", shown,
            "Check that libvirtd (or virtqemud) runs and that you may use it (root, or the libvirt group); for remote hosts check the URI, e.g. qemu+ssh://user@host/system?keyfile=KEY.");
    }

    private static bool Has(string message, params string[] texts)
    {
        foreach (var t in texts)
        {
            if (message.Contains(t, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
