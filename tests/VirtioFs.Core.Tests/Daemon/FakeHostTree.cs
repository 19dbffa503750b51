// SPDX-License-Identifier: MIT
using System;
using System.IO;
using System.Text;

namespace VirtioFs.Tests.Core.Daemon;

/// <summary>A throw-away host root: /proc entries, /etc, /run and /var files as libvirt and virtiofsd leave them.</summary>
internal sealed class FakeHostTree : IDisposable
{
    public FakeHostTree()
    {
        Root = Path.Combine(Path.GetTempPath(), "vfs-fake-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Root);
        Write("/proc/stat", "cpu  1 2 3\nbtime 1700000000\n");
        Write("/proc/net/unix", "Num       RefCount Protocol Flags    Type St Inode Path\n");
    }

    public string Root { get; }

    public VirtioFs.Platform.HostRoot Host => new(Root);

    public string P(string absolute) => Path.Combine(Root, absolute.TrimStart('/'));

    public void Write(string absolute, string content)
    {
        var p = P(absolute);
        Directory.CreateDirectory(Path.GetDirectoryName(p)!);
        File.WriteAllText(p, content);
    }

    /// <summary>A process with argv, parent, and optional socket fds: (fd, inode, bound path or null, listening).</summary>
    public void AddProcess(int pid, int ppid, string[] argv, params (int Fd, long Inode, string? Path, bool Listening)[] sockets)
    {
        Write($"/proc/{pid}/stat", $"{pid} ({Path.GetFileName(argv[0])}) S {ppid} {pid} {pid} 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 123456 0 0");
        File.WriteAllBytes(P($"/proc/{pid}/cmdline"), Encoding.UTF8.GetBytes(string.Join('\0', argv) + "\0"));
        var unix = new StringBuilder("Num       RefCount Protocol Flags    Type St Inode Path\n");
        Directory.CreateDirectory(P($"/proc/{pid}/fd"));
        foreach (var (fd, inode, path, listening) in sockets)
        {
            File.CreateSymbolicLink(P($"/proc/{pid}/fd/{fd}"), $"socket:[{inode}]");
            if (path is not null)
            {
                unix.Append($"0000000000000000: 00000002 00000000 {(listening ? "00010000" : "00000000")} 0001 01 {inode} {path}\n");
            }
        }
        Write($"/proc/{pid}/net/unix", unix.ToString());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
