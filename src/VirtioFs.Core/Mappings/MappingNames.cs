// SPDX-License-Identifier: MIT
using VirtioFs.Domain;
using VirtioFs.Errors;

namespace VirtioFs.Mappings;

/// <summary>
/// A mapping's name is the mount tag of every share made from it, so it follows the tag's rule (MountTag:
/// at most 36 bytes, no white space or control characters) and keeps that rule's error ids. It must also
/// be findable by name: no wildcard characters, which Get- and Remove-VirtioFsMapping read as patterns.
/// </summary>
internal static class MappingNames
{
    private static readonly char[] s_wildcards = ['*', '?', '[', ']'];

    public static void Validate(string? name)
    {
        try
        {
            MountTag.Validate(name);
        }
        catch (VirtioFsException e)
        {
            throw new VirtioFsException(e.ErrorId, e.Kind,
                $"The mapping name '{MountTag.Printable(name ?? string.Empty)}' becomes the guest's mount tag, and {Lower(e.Message)}", e.Target,
                "Choose a -Name of letters, digits, '-', '_' or '.', at most 36 bytes, e.g. 'data'.", e);
        }
        if (name!.IndexOfAny(s_wildcards) >= 0)
        {
            throw new VirtioFsException(ErrorIds.MappingNameInvalid, VirtioFsErrorKind.InvalidArgument,
                $"The mapping name '{name}' contains a wildcard character (* ? [ ]); Get- and Remove-VirtioFsMapping would read it as a pattern.",
                name, "Choose a name of letters, digits, '-', '_' or '.', e.g. 'data'.");
        }
    }

    private static string Lower(string message) => message.Length > 0 ? char.ToLowerInvariant(message[0]) + message[1..] : message;
}
