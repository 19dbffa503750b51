// SPDX-License-Identifier: MIT
using VirtioFs.Daemon;
using Xunit;

namespace VirtioFs.Tests.Core.Daemon;

public sealed class SystemdUnitWriterTests
{
    [Theory]
    [InlineData("--socket-path=/run/virtiofs/x.sock", "--socket-path=/run/virtiofs/x.sock")]
    [InlineData(@"source=/srv/a\,b c", "\"source=/srv/a\\\\,b c\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("100%", "100%%")]
    [InlineData("$HOME", "$$HOME")]
    [InlineData("", "\"\"")]
    public void ExecStartWordsKeepTheExactArgv(string arg, string expected) =>
        Assert.Equal(expected, SystemdUnitWriter.Quote(arg));
}
