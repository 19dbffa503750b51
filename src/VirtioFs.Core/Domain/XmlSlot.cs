// SPDX-License-Identifier: MIT
using System;

namespace VirtioFs.Domain;

/// <summary>
/// Where an option lives in a &lt;filesystem&gt;: an attribute of a child (<c>driver@queue</c>), of a
/// grandchild (<c>binary/cache@mode</c>), or the mere presence of a child (<c>readonly</c>).
/// </summary>
internal sealed record XmlSlot(string[] Path, string? Attribute)
{
    public static XmlSlot At(string path, string? attribute = null) => new(path.Split('/'), attribute);

    /// <summary>The element and attribute as an admin reads them: <c>&lt;cache mode&gt;</c>, <c>&lt;readonly/&gt;</c>.</summary>
    public override string ToString() => Attribute is null ? $"<{Path[^1]}/>" : $"<{Path[^1]} {Attribute}>";
}
