// SPDX-License-Identifier: MIT
using System.Linq;
using System.Text;
using VirtioFs.Errors;

namespace VirtioFs.Domain;

/// <summary>
/// The one rule for a virtio-fs mount tag, wherever a tag is written or used: a share's &lt;target dir&gt;,
/// QEMU's tag= argument, a guest's mount command, fstab line or .mount unit. The guest mounts by the tag,
/// so it must be something every one of those can carry.
/// </summary>
internal static class MountTag
{
    /// <summary>QEMU's vhost-user-fs limit (the VIRTIO_FS tag field).</summary>
    public const int MaxBytes = 36;

    public static void Validate(string? tag)
    {
        if (string.IsNullOrEmpty(tag))
        {
            throw new VirtioFsException(ErrorIds.TagEmpty, VirtioFsErrorKind.InvalidArgument,
                "The mount tag is empty; the guest mounts a share by its tag.", tag,
                "Give -Tag a short name such as 'data' (at most 36 bytes).");
        }
        int bytes = Encoding.UTF8.GetByteCount(tag);
        if (bytes > MaxBytes)
        {
            throw new VirtioFsException(ErrorIds.TagTooLong, VirtioFsErrorKind.InvalidArgument,
                $"The mount tag '{tag}' is {bytes} bytes in UTF-8; QEMU allows at most {MaxBytes} (\"tag property must be 36 bytes or less\").",
                tag, "Choose a tag of at most 36 bytes.");
        }
        if (tag.Any(char.IsControl))
        {
            // NUL ends the tag in the guest's kernel; other control characters survive no fstab or shell.
            throw new VirtioFsException(ErrorIds.TagHasControlCharacter, VirtioFsErrorKind.InvalidArgument,
                $"The mount tag '{Printable(tag)}' contains a control character (NUL, tab, newline ...): the guest could not mount it.",
                Printable(tag), "Use letters, digits, '-', '_' or '.', e.g. 'data'.");
        }
        if (tag.Any(char.IsWhiteSpace))
        {
            throw new VirtioFsException(ErrorIds.TagHasWhitespace, VirtioFsErrorKind.InvalidArgument,
                $"The mount tag '{tag}' contains white space: it could not be written in /etc/fstab or a .mount unit, or typed in a mount command without quoting.",
                tag, "Use letters, digits, '-', '_' or '.', e.g. '" + string.Concat(tag.Where(c => !char.IsWhiteSpace(c))) + "'; rename an existing share with Set-VirtioFsShare -Tag <old> -NewTag <new>.");
        }
    }

    /// <summary>The problem with a tag as the doctor words it, or null when the tag is fine.</summary>
    public static string? Problem(string tag)
    {
        try
        {
            Validate(tag);
            return null;
        }
        catch (VirtioFsException e)
        {
            return e.Message;
        }
    }

    /// <summary>The tag with control characters shown as \xNN, for messages.</summary>
    public static string Printable(string tag) =>
        string.Concat(tag.Select(c => char.IsControl(c) ? $"\\x{(int)c:X2}" : c.ToString()));
}
