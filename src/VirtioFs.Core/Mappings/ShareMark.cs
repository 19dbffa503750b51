// SPDX-License-Identifier: MIT
namespace VirtioFs.Mappings;

/// <summary>What the managed marker says of one share: the mapping it was made from, for which host key.</summary>
internal sealed record ShareMark(string Mapping, string Host)
{
    public override string ToString() => $"{Mapping} ({Host})";
}
