// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>How a domain differs from the declaration for one share.</summary>
public enum VirtioFsMappingDriftKind
{
    /// <summary>The declaration puts the mapping in the domain; the domain has no share with its tag.</summary>
    Missing,
    /// <summary>The share is there but its source, an option the mapping sets, or its managed marker differs.</summary>
    Different,
    /// <summary>A share made from a mapping of this file is in a domain the declaration no longer puts it in.</summary>
    Extra,
}
