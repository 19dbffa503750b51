// SPDX-License-Identifier: MIT
namespace VirtioFs.Daemon;

/// <summary>Stable error ids of the daemon core; scripts match on them, so never rename one.</summary>
internal static class DaemonErrorIds
{
    public const string BinaryNotFound = "DaemonBinaryNotFound";
    public const string ProbeFailed = "DaemonProbeFailed";
    public const string OptionUnsupported = "DaemonOptionUnsupported";
    public const string OptionInvalid = "DaemonOptionInvalid";
    public const string OptionConflict = "DaemonOptionConflict";
    public const string SharedDirectoryNotFound = "DaemonSharedDirectoryNotFound";
    public const string SocketDirectoryNotFound = "DaemonSocketDirectoryNotFound";
    public const string SocketPathTooLong = "DaemonSocketPathTooLong";
    public const string SocketInUse = "DaemonSocketInUse";
    public const string SocketGroupNotFound = "DaemonSocketGroupNotFound";
    public const string NameInUse = "DaemonNameInUse";
    public const string NameInvalid = "DaemonNameInvalid";
    public const string SpawnFailed = "DaemonSpawnFailed";
    public const string Exited = "DaemonExited";
    public const string SocketTimeout = "DaemonSocketTimeout";
    public const string NotFound = "DaemonNotFound";
    public const string ManagedByLibvirt = "DaemonManagedByLibvirt";
    public const string StopTimeout = "DaemonStopTimeout";
    public const string StopFailed = "DaemonStopFailed";
    public const string RestartUnsupported = "DaemonRestartUnsupported";
    public const string UnitExists = "DaemonUnitExists";
    public const string UnitDirectoryNotFound = "DaemonUnitDirectoryNotFound";
    public const string StateWriteFailed = "DaemonStateWriteFailed";
}
