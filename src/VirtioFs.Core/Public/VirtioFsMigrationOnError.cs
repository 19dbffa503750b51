// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>
/// Rust virtiofsd <c>--migration-on-error</c> (1.11+), on the destination: Abort fails the migration on any error;
/// GuestError lets it finish, and the guest gets errors for the files that could not be restored.
/// </summary>
public enum VirtioFsMigrationOnError
{
    Abort,
    GuestError,
}
