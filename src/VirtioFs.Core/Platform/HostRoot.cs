// SPDX-License-Identifier: MIT
using System.IO;

namespace VirtioFs.Platform;

/// <summary>
/// The host's file tree as the module reads it: "/" on a real host, a directory holding a fake tree in
/// tests (a second NUMA node, 1 GiB pages, a qemu.conf, a /dev/kvm of given mode), which this machine
/// cannot show. Every read of /sys, /proc, /etc, /dev, /run and /var goes through <see cref="Path"/>.
/// </summary>
internal sealed class HostRoot
{
    public static readonly HostRoot Real = new("/");

    public HostRoot(string root)
    {
        Root = string.IsNullOrEmpty(root) ? "/" : root;
    }

    private HostRoot(int processId)
        : this($"/proc/{processId}/root")
    {
        ProcessId = processId;
    }

    /// <summary>
    /// The file system another process sees (/proc/PID/root), mounts of its own mount namespace included: how
    /// this host reads the files of a libvirtd that runs in a container or another root. Its /proc/mounts is
    /// read as /proc/PID/mounts, because /proc/self inside means the reader, which that namespace may not know.
    /// </summary>
    public static HostRoot OfProcess(int processId) => new(processId);

    /// <summary>"/" for the real host.</summary>
    public string Root { get; }

    /// <summary>The process whose root this is (<see cref="OfProcess"/>); null for a plain directory.</summary>
    public int? ProcessId { get; }

    public bool IsReal => Root == "/";

    /// <summary>Where an absolute host path lives in this tree.</summary>
    public string Path(string absolute) =>
        IsReal ? absolute
        : ProcessId is int pid && absolute == "/proc/mounts" ? $"/proc/{pid}/mounts"
        : System.IO.Path.Combine(Root, absolute.TrimStart('/'));

    /// <summary>The host path of a path inside this tree (the reverse of <see cref="Path"/>).</summary>
    public string HostPathOf(string treePath)
    {
        if (IsReal)
        {
            return treePath;
        }
        string root = System.IO.Path.TrimEndingDirectorySeparator(Root);
        return treePath == root ? "/" : treePath.StartsWith(root + "/", System.StringComparison.Ordinal) ? treePath[root.Length..] : treePath;
    }

    public bool FileExists(string absolute) => File.Exists(Path(absolute));

    public bool DirectoryExists(string absolute) => Directory.Exists(Path(absolute));

    /// <summary>A small file's text, or null when it is missing or unreadable.</summary>
    public string? ReadText(string absolute)
    {
        try
        {
            return File.ReadAllText(Path(absolute));
        }
        catch (System.Exception e) when (e is IOException or System.UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A file's lines, or none when it is missing or unreadable.</summary>
    public string[] ReadLines(string absolute) => ReadText(absolute)?.Split('\n') ?? [];

    public override string ToString() => Root;
}
