// SPDX-License-Identifier: MIT
using System.Linq;
using VirtioFs.Doctor;
using Xunit;

namespace VirtioFs.Tests.Core.Doctor;

public sealed class DaemonHealthCheckTests
{
    private static VirtioFsDaemon Daemon(string name, VirtioFsDaemonState state, int? open = null, long? limit = null,
        VirtioFsDaemonManager by = VirtioFsDaemonManager.VirtioFs, bool? connected = null) =>
        new(name, 4242, state, "/srv/" + name, $"/run/virtiofs/{name}.sock", "/usr/lib/qemu/virtiofsd", VirtioFsDaemonDialect.C,
            "7.2.22", [], $"/run/virtiofs/{name}.log", null, by, null, null, null)
        {
            OpenFiles = open,
            OpenFilesLimit = limit,
            GuestConnected = connected,
        };

    private static VirtioFsCheckResult[] Run(params VirtioFsDaemon[] daemons)
    {
        var list = new CheckList("host");
        DaemonHealthCheck.Run(daemons, list);
        return list.Results.ToArray();
    }

    [Fact]
    public void NoDaemonIsASkip() => Assert.Equal(VirtioFsCheckStatus.Skip, Assert.Single(Run()).Status);

    [Fact]
    public void HealthyDaemonsPassWithTheirCounts()
    {
        var r = Assert.Single(Run(Daemon("a", VirtioFsDaemonState.Running, 15, 4096, connected: true),
                                  Daemon("b", VirtioFsDaemonState.Running, 7, 20000, by: VirtioFsDaemonManager.Libvirt, connected: false)));
        Assert.Equal(VirtioFsCheckStatus.Pass, r.Status);
        Assert.Contains("2 virtiofsd running (1 with a guest connected)", r.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void AnExitedDaemonOfOursIsAWarningThatSaysHowToRestartIt()
    {
        var r = Assert.Single(Run(Daemon("media", VirtioFsDaemonState.Exited)));
        Assert.Equal(VirtioFsCheckStatus.Warn, r.Status);
        Assert.Equal("media", r.Target);
        Assert.Contains("Restart-VirtioFsDaemon -Name 'media'", r.Fix, System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3687, 4096, true)]   // just over 90 % (3686.4)
    [InlineData(3686, 4096, false)]
    [InlineData(20, 0, false)]      // no known limit
    public void ADaemonNearItsFileLimitIsAWarning(int open, long limit, bool warn)
    {
        var r = Run(Daemon("big", VirtioFsDaemonState.Running, open, limit));
        Assert.Equal(warn ? VirtioFsCheckStatus.Warn : VirtioFsCheckStatus.Pass, Assert.Single(r).Status);
        if (warn)
        {
            Assert.Contains("EMFILE", r[0].Message, System.StringComparison.Ordinal);
            Assert.Contains("-RlimitNofile", r[0].Fix, System.StringComparison.Ordinal);
        }
    }
}
