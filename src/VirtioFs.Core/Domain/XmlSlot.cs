// SPDX-License-Identifier: MIT
using System;
using System.Xml.Linq;

namespace VirtioFs.Domain;

/// <summary>
/// Where an option lives in a &lt;filesystem&gt;: an attribute of a child (<c>driver@queue</c>), of a
/// grandchild (<c>binary/cache@mode</c>), or the mere presence of a child (<c>readonly</c>).
/// </summary>
internal sealed record XmlSlot(string[] Path, string? Attribute)
{
    public static XmlSlot At(string path, string? attribute = null) => new(path.Split('/'), attribute);

    /// <summary>
    /// <see cref="Path"/> as XNames, made once: every share read looks up every option's slot, and a string
    /// given to Element() is turned into an XName through a table lookup on each call.
    /// </summary>
    public XName[] Names { get; } = Array.ConvertAll(Path, p => XName.Get(p));

    /// <summary><see cref="Attribute"/> as an XName (null when the slot is an element's presence).</summary>
    public XName? AttributeName { get; } = Attribute is null ? null : XName.Get(Attribute);

    /// <summary>The element and attribute as an admin reads them: <c>&lt;cache mode&gt;</c>, <c>&lt;readonly/&gt;</c>.</summary>
    public override string ToString() => Attribute is null ? $"<{Path[^1]}/>" : $"<{Path[^1]} {Attribute}>";
}
