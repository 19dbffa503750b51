// SPDX-License-Identifier: MIT
using System.Linq;
using VirtioFs.Errors;
using Xunit;

namespace VirtioFs.Tests.Core.Doctor;

public sealed class ErrorCatalogueTests
{
    [Fact]
    public void EveryEntryIsCompleteAndItsExamplesMatchIt()
    {
        Assert.True(ErrorCatalogue.Entries.Count >= 20);
        Assert.Equal(ErrorCatalogue.Entries.Count, ErrorCatalogue.Entries.Select(e => e.Id).Distinct().Count());
        foreach (var e in ErrorCatalogue.Entries)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Cause), e.Id);
            Assert.False(string.IsNullOrWhiteSpace(e.Fix), e.Id);
            Assert.NotEmpty(e.Examples);
            foreach (var example in e.Examples)
            {
                var hits = ErrorCatalogue.Resolve(example);
                Assert.True(hits.Any(h => h.Id == e.Id), $"{e.Id}: example '{example}' resolved to {string.Join(",", hits.Select(h => h.Id))}");
            }
        }
    }

    // The texts the issue and the real-guest notes list, and libvirt 9.0's real messages on this host.
    [Theory]
    [InlineData("error: operation failed: Unable to find a satisfying virtiofsd", "DaemonNotFound")]
    [InlineData("error: unsupported configuration: 'virtiofs' requires shared memory", "SharedMemoryMissing")]
    [InlineData("internal error: qemu unexpectedly closed the monitor: 2026-11-29T12:26:42.941577Z qemu-system-x86_64: -device {\"driver\":\"vhost-user-fs-pci\",\"tag\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}: tag property must be 36 bytes or less", "TagTooLong")]
    [InlineData("unsupported configuration: locking options are not supported by this virtiofsd", "LockingUnsupported")]
    [InlineData("[2026-01-01T00:00:00Z ERROR virtiofsd] Failed to read msg header: Connection reset", "VhostMsgHeader")]
    [InlineData("qemu-system-x86_64: unable to map backing store for guest RAM: Cannot allocate memory", "HugePagesExhausted")]
    [InlineData("[    2.5] virtio-fs: tag <mydata> not found", "GuestTagNotFound")]
    [InlineData("error: internal error: hugetlbfs filesystem is not mounted or disabled by administrator config", "HugeTlbFsNotMounted")]
    [InlineData("-chardev socket,id=chr-vu-fs0,path=/w/ext/vfsd.sock: Failed to connect to '/w/ext/vfsd.sock': Permission denied", "VhostSocketPermission")]
    [InlineData("vhost socket bind: No such file or directory", "SocketDirectoryMissing")]
    [InlineData("failed to stat source (\"/x/nonexist\"): No such file or directory", "DaemonSourceMissing")]
    [InlineData("Waiting for daemon failed: HandleRequest(InvalidParam)", "InvalidParamNoSharedMemory")]
    [InlineData("error: unsupported configuration: virtiofs only supports passthrough accessmode", "AccessModeNotPassthrough")]
    [InlineData("Error: Too many open files (os error 24)", "TooManyOpenFiles")]
    [InlineData("fv_panic: libvhost-user: Invalid vring_addr message", "InvalidVringAddr")]
    [InlineData("error: unsupported configuration: virtiofs does not yet support read-only mode", "ReadOnlyUnsupported")]
    [InlineData("error: internal error: the virtiofs export directory '/tmp/vfsdoc/nonexist' does not exist", "SourceDirectoryMissing")]
    [InlineData("queue-size property must be a power of 2", "QueueSizeInvalid")]
    [InlineData("error: XML error: Invalid value for attribute 'mode' in element 'cache': 'never'.", "CacheModeInvalid")]
    [InlineData("error: unsupported configuration: filesystem target 't' specified twice", "TagDuplicate")]
    [InlineData("error: internal error: virtiofsd binary '/nonexistent/virtiofsd' is not executable", "DaemonBinaryNotExecutable")]
    // Real messages of the two stacks (Debian 12: libvirt 9.0 + QEMU 7.2; Debian 13: libvirt 11.3 + QEMU 10.0 + virtiofsd 1.13.2).
    [InlineData("error: Requested operation is not valid: cannot migrate domain: non-migratable device: 0000:00:01.1:00.0/vhost-user-fs", "MigrationBlocked")]
    [InlineData("error: Operation not supported: migration with this virtiofs device is not supported", "MigrationBlocked")]
    [InlineData("error: internal error: virtiofsd died unexpectedly", "VirtiofsdDied")]
    [InlineData("[2026-11-30T12:56:13Z ERROR virtiofsd] Error entering sandbox: uid_map can only be used by unprivileged user where sandbox mod is namespace (Use '--sandbox namespace' instead)", "IdMapAsRoot")]
    public void KnownTextsResolve(string text, string id)
    {
        var hits = ErrorCatalogue.Resolve(text);
        Assert.All(hits, h => Assert.True(h.Known));
        Assert.Equal(id, hits[0].Id);
        Assert.Contains(hits[0].Match!, text, System.StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AWrappedMessageExplainsEachPartInTextOrder()
    {
        var hits = ErrorCatalogue.Resolve("Failed to read msg header ... then later: 'virtiofs' requires shared memory");
        Assert.Equal(new[] { "VhostMsgHeader", "SharedMemoryMissing" }, hits.Select(h => h.Id));
    }

    [Fact]
    public void UnknownTextIsAResultNotAnError()
    {
        var hit = Assert.Single(ErrorCatalogue.Resolve("the printer is on fire"));
        Assert.False(hit.Known);
        Assert.Null(hit.Id);
        Assert.Contains("Test-VirtioFsDomain", hit.Fix);
        Assert.Equal("the printer is on fire", hit.Message);
    }

    [Fact]
    public void OurOwnErrorIdsResolveEvenWithoutTheText()
    {
        var hit = ErrorCatalogue.Resolve("whatever", "TagTooLong,VirtioFs.Commands.NewVirtioFsShareCommand")[0];
        Assert.Equal("TagTooLong", hit.Id);
        var own = Assert.Single(ErrorCatalogue.Resolve("x", "QemuConfigNotFound,Cmd", "Install libvirt-daemon-system."));
        Assert.True(own.Known);
        Assert.Equal("Install libvirt-daemon-system.", own.Fix);
    }
}
