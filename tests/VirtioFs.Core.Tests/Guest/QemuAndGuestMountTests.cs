// SPDX-License-Identifier: MIT
using System.Linq;
using VirtioFs.Errors;
using VirtioFs.Guest;
using VirtioFs.Qemu;
using Xunit;

namespace VirtioFs.Tests.Core.Guest;

public class QemuArgumentBuilderTests
{
    [Theory]
    [InlineData("536870912", 536870912UL)]
    [InlineData("512M", 536870912UL)]
    [InlineData("512MiB", 536870912UL)]
    [InlineData("2G", 2147483648UL)]
    [InlineData("1GiB", 1073741824UL)]
    [InlineData("1t", 1099511627776UL)]
    public void Memory_sizes_parse_with_binary_units(string text, ulong bytes) =>
        Assert.Equal(bytes, MemorySize.ParseBytes(text));

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-1G")]
    [InlineData("1.5G")]
    [InlineData("2X")]
    [InlineData("99999999999999999999T")]
    public void Bad_sizes_are_refused(string text) =>
        Assert.Equal("InvalidMemorySize", Assert.Throws<VirtioFsException>(() => MemorySize.ParseBytes(text)).ErrorId);

    [Fact]
    public void Memfd_without_numa_matches_libvirt()
    {
        var args = QemuArgumentBuilder.Build(new QemuArgumentRequest { Devices = [new QemuFsDevice { SocketPath = "/s.sock", Tag = "t" }], MemoryBytes = 512UL << 20 });
        Assert.Equal(new[]
        {
            "-object", "memory-backend-memfd,id=pc.ram,share=on,size=536870912",
            "-machine", "memory-backend=pc.ram",
            "-chardev", "socket,id=chr-vu-fs0,path=/s.sock",
            "-device", "vhost-user-fs-pci,id=fs0,chardev=chr-vu-fs0,tag=t",
        }, args);
    }

    [Fact]
    public void Every_backend_is_shared()
    {
        foreach (var backing in new[] { VirtioFsQemuBacking.Memfd, VirtioFsQemuBacking.HugePages, VirtioFsQemuBacking.File })
        {
            foreach (int nodes in new[] { 0, 1, 4 })
            {
                var args = QemuArgumentBuilder.Build(new QemuArgumentRequest
                { Devices = [new QemuFsDevice { SocketPath = "/s", Tag = "t" }], MemoryBytes = 1UL << 30, Backing = backing, NumaNodes = nodes });
                var objects = args.Where((a, i) => i > 0 && args[i - 1] == "-object").ToList();
                Assert.Equal(System.Math.Max(1, nodes), objects.Count);
                Assert.All(objects, o => Assert.Contains(",share=on", o));
            }
        }
    }

    [Fact]
    public void Several_shares_get_one_memory_backend_and_libvirts_numbered_ids()
    {
        var args = QemuArgumentBuilder.Build(new QemuArgumentRequest
        {
            Devices = [new QemuFsDevice { SocketPath = "/a.sock", Tag = "a" }, new QemuFsDevice { SocketPath = "/b.sock", Tag = "b", QueueSize = 1024 }],
            MemoryBytes = 1UL << 30,
        });
        Assert.Equal(new[]
        {
            "-object", "memory-backend-memfd,id=pc.ram,share=on,size=1073741824",
            "-machine", "memory-backend=pc.ram",
            "-chardev", "socket,id=chr-vu-fs0,path=/a.sock",
            "-device", "vhost-user-fs-pci,id=fs0,chardev=chr-vu-fs0,tag=a",
            "-chardev", "socket,id=chr-vu-fs1,path=/b.sock",
            "-device", "vhost-user-fs-pci,id=fs1,chardev=chr-vu-fs1,queue-size=1024,tag=b",
        }, args);
    }

    [Theory]
    [InlineData("/a.sock", "a", "TagExists")]
    [InlineData("/b.sock", "a", "TagExists")]
    [InlineData("/a.sock", "b", "SocketPathInUse")]
    public void A_tag_or_socket_used_twice_is_refused(string socket, string tag, string id)
    {
        var e = Assert.Throws<VirtioFsException>(() => QemuArgumentBuilder.Build(new QemuArgumentRequest
        {
            Devices = [new QemuFsDevice { SocketPath = "/a.sock", Tag = "a" }, new QemuFsDevice { SocketPath = socket, Tag = tag }],
            MemoryBytes = 1UL << 30,
        }));
        Assert.Equal(id, e.ErrorId);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(1023)]
    [InlineData(2048)]
    public void Bad_queue_sizes_are_refused(int q)
    {
        var e = Assert.Throws<VirtioFsException>(() => QemuArgumentBuilder.Build(
            new QemuArgumentRequest { Devices = [new QemuFsDevice { SocketPath = "/s", Tag = "t", QueueSize = q }], MemoryBytes = 1UL << 30 }));
        Assert.Equal("InvalidQueueSize", e.ErrorId);
    }
}

public class GuestMountBuilderTests
{
    [Theory]
    [InlineData("/mnt/my-data", @"mnt-my\x2ddata")]
    [InlineData("/", "-")]
    [InlineData("//srv///a/", "srv-a")]
    [InlineData("/srv/.snap", "srv-.snap")]
    [InlineData("/.snap", @"\x2esnap")]
    [InlineData("/a b", @"a\x20b")]
    public void Unit_names_are_escaped_like_systemd(string path, string expected) =>
        Assert.Equal(expected, SystemdPathEscape.Escape(path));

    [Fact]
    public void The_fstab_line_carries_nothing_busybox_would_pass_to_the_kernel()
    {
        var m = GuestMountBuilder.Build("data", null, readOnly: true, new[] { "noatime" }, 'z');
        Assert.Equal("data /mnt/data virtiofs defaults,ro,noatime,nofail 0 0", m.FstabLine);
        Assert.DoesNotContain("x-", m.FstabLine);
        Assert.Equal('Z', m.DriveLetter);
        Assert.Contains("Options=ro,noatime\n", m.SystemdUnit);
    }
}
