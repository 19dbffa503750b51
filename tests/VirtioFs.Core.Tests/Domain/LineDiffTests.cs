// SPDX-License-Identifier: MIT
using VirtioFs.Domain;
using Xunit;

namespace VirtioFs.Tests.Core.Domain;

public class LineDiffTests
{
    [Fact]
    public void Unified_diff_has_headers_hunks_and_markers()
    {
        string a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
        string b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n";
        string diff = LineDiff.Unified(a, b, "a", "b");
        Assert.StartsWith("--- a\n+++ b\n@@ -2,9 +2,10 @@\n", diff);
        Assert.Contains("\n-5\n+five\n", diff);
        Assert.Contains("\n+11\n", diff);
    }

    [Fact]
    public void Identical_texts_have_no_hunks() => Assert.Equal("--- a\n+++ b\n", LineDiff.Unified("x\n", "x\n", "a", "b"));
}
