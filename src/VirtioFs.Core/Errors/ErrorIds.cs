// SPDX-License-Identifier: MIT
namespace VirtioFs.Errors;

/// <summary>
/// Every error id the module raises, in one table: scripts and runbooks match on them
/// (<c>$_.FullyQualifiedErrorId</c>, <c>Should -Throw -ErrorId</c>), so an id is never renamed and one
/// failure has one id. Throw sites name an id from here, never a literal (ErrorIdTableTests checks the
/// sources), and the error catalogue and the help pages may only name ids listed here.
/// </summary>
internal static class ErrorIds
{
    // Domain XML and shares
    public const string AliasInUse = nameof(AliasInUse);
    public const string BinaryNotFound = nameof(BinaryNotFound);
    public const string BinaryPathNotAbsolute = nameof(BinaryPathNotAbsolute);
    public const string BootOrderConflict = nameof(BootOrderConflict);
    public const string BootOrderInUse = nameof(BootOrderInUse);
    public const string DaemonOptionsWithSocket = nameof(DaemonOptionsWithSocket);
    public const string DomainChangedConcurrently = nameof(DomainChangedConcurrently);
    public const string DomainFileIsDirectory = nameof(DomainFileIsDirectory);
    public const string DomainFileNotFound = nameof(DomainFileNotFound);
    public const string DomainFileNotUtf8 = nameof(DomainFileNotUtf8);
    public const string HugePagesInUse = nameof(HugePagesInUse);
    public const string IdMapNeedsRustVirtiofsd = nameof(IdMapNeedsRustVirtiofsd);
    public const string InvalidAlias = nameof(InvalidAlias);
    public const string InvalidBootOrder = nameof(InvalidBootOrder);
    public const string InvalidOpenFilesMax = nameof(InvalidOpenFilesMax);
    public const string InvalidQueueSize = nameof(InvalidQueueSize);
    public const string InvalidThreadPoolSize = nameof(InvalidThreadPoolSize);
    public const string LockNeedsCVirtiofsd = nameof(LockNeedsCVirtiofsd);
    public const string MalformedDomainXml = nameof(MalformedDomainXml);
    public const string NotADomainXml = nameof(NotADomainXml);
    public const string NotVirtioFs = nameof(NotVirtioFs);
    public const string OptionNeedsNewerLibvirt = nameof(OptionNeedsNewerLibvirt);
    public const string ShareNotFound = nameof(ShareNotFound);
    public const string SharedMemoryMissing = nameof(SharedMemoryMissing);
    public const string SocketPathNotAbsolute = nameof(SocketPathNotAbsolute);
    public const string SocketPathTooLong = nameof(SocketPathTooLong);
    public const string SourceAndSocket = nameof(SourceAndSocket);
    public const string SourceMissing = nameof(SourceMissing);
    public const string SourceNotAbsolute = nameof(SourceNotAbsolute);
    public const string SourceNotDirectory = nameof(SourceNotDirectory);
    public const string SourceNotFound = nameof(SourceNotFound);
    public const string TagEmpty = nameof(TagEmpty);
    public const string UnsafeSharedDirectory = nameof(UnsafeSharedDirectory);
    public const string TagExists = nameof(TagExists);
    public const string TagTooLong = nameof(TagTooLong);
    public const string UnsupportedAccessMode = nameof(UnsupportedAccessMode);

    // libvirt connection and domains
    public const string HostUnreachable = nameof(HostUnreachable);
    public const string LibvirtNotRunning = nameof(LibvirtNotRunning);
    public const string SshAuthFailed = nameof(SshAuthFailed);
    public const string SshHostKeyUnknown = nameof(SshHostKeyUnknown);
    public const string DomainLocked = nameof(DomainLocked);
    public const string DomainCapabilitiesFailed = nameof(DomainCapabilitiesFailed);
    public const string DomainListFailed = nameof(DomainListFailed);
    public const string DomainLookupFailed = nameof(DomainLookupFailed);
    public const string DomainNotFound = nameof(DomainNotFound);
    public const string DomainStateFailed = nameof(DomainStateFailed);
    public const string DomainXmlFailed = nameof(DomainXmlFailed);
    public const string HugePageQueryFailed = nameof(HugePageQueryFailed);
    public const string LibvirtConnectFailed = nameof(LibvirtConnectFailed);
    public const string LibvirtDefineFailed = nameof(LibvirtDefineFailed);
    public const string LibvirtNotInstalled = nameof(LibvirtNotInstalled);
    public const string LibvirtQueryFailed = nameof(LibvirtQueryFailed);
    public const string LiveAttachFailed = nameof(LiveAttachFailed);
    public const string LiveDetachFailed = nameof(LiveDetachFailed);

    // virtiofsd daemons
    public const string DaemonBinaryNotFound = nameof(DaemonBinaryNotFound);
    public const string DaemonExited = nameof(DaemonExited);
    public const string DaemonManagedByLibvirt = nameof(DaemonManagedByLibvirt);
    public const string DaemonNameInUse = nameof(DaemonNameInUse);
    public const string DaemonNameInvalid = nameof(DaemonNameInvalid);
    public const string DaemonOptionConflict = nameof(DaemonOptionConflict);
    public const string DaemonOptionUnsupported = nameof(DaemonOptionUnsupported);
    public const string DaemonProbeFailed = nameof(DaemonProbeFailed);
    public const string DaemonRestartUnsupported = nameof(DaemonRestartUnsupported);
    public const string DaemonSharedDirectoryNotFound = nameof(DaemonSharedDirectoryNotFound);
    public const string DaemonSocketDirectoryNotFound = nameof(DaemonSocketDirectoryNotFound);
    public const string DaemonSocketGroupNotFound = nameof(DaemonSocketGroupNotFound);
    public const string DaemonSocketInUse = nameof(DaemonSocketInUse);
    public const string DaemonSocketTimeout = nameof(DaemonSocketTimeout);
    public const string DaemonSpawnFailed = nameof(DaemonSpawnFailed);
    public const string DaemonStateWriteFailed = nameof(DaemonStateWriteFailed);
    public const string DaemonStopFailed = nameof(DaemonStopFailed);
    public const string DaemonStopTimeout = nameof(DaemonStopTimeout);
    public const string DaemonUnitDirectoryNotFound = nameof(DaemonUnitDirectoryNotFound);
    public const string DaemonUnitExists = nameof(DaemonUnitExists);

    // Hugepages and hugetlbfs
    public const string HugePagePoolLocked = nameof(HugePagePoolLocked);
    public const string HugePageAllocationShort = nameof(HugePageAllocationShort);
    public const string HugePageAllocationStopped = nameof(HugePageAllocationStopped);
    public const string HugePagePermissionDenied = nameof(HugePagePermissionDenied);
    public const string HugePagePoolNotFound = nameof(HugePagePoolNotFound);
    public const string HugePageTopologyUnknown = nameof(HugePageTopologyUnknown);
    public const string HugePageWriteFailed = nameof(HugePageWriteFailed);
    public const string HugeTlbFsMountFailed = nameof(HugeTlbFsMountFailed);
    public const string HugeTlbFsMountMissing = nameof(HugeTlbFsMountMissing);
    public const string HugeTlbFsMountedWithOtherSize = nameof(HugeTlbFsMountedWithOtherSize);
    public const string InvalidNodeset = nameof(InvalidNodeset);
    public const string InvalidPageSize = nameof(InvalidPageSize);
    public const string MountNotInstalled = nameof(MountNotInstalled);
    public const string MountPointNotDirectory = nameof(MountPointNotDirectory);
    public const string PageSizeNotOffered = nameof(PageSizeNotOffered);

    // libvirt's qemu.conf
    public const string QemuConfigChangedMeanwhile = nameof(QemuConfigChangedMeanwhile);
    public const string QemuConfigNotFound = nameof(QemuConfigNotFound);
    public const string QemuConfigPermissionDenied = nameof(QemuConfigPermissionDenied);
    public const string QemuConfigSyntaxError = nameof(QemuConfigSyntaxError);
    public const string QemuConfigValueUnwritable = nameof(QemuConfigValueUnwritable);

    // QEMU arguments
    public const string InvalidIdPrefix = nameof(InvalidIdPrefix);
    public const string InvalidMemorySize = nameof(InvalidMemorySize);
    public const string InvalidNumaNodeCount = nameof(InvalidNumaNodeCount);
    public const string MemPathNotAbsolute = nameof(MemPathNotAbsolute);
    public const string MemPathWithMemfd = nameof(MemPathWithMemfd);
    public const string NoShareGiven = nameof(NoShareGiven);
    public const string SocketPathInUse = nameof(SocketPathInUse);

    // The guest side
    public const string ConflictingMountOptions = nameof(ConflictingMountOptions);
    public const string InvalidDriveLetter = nameof(InvalidDriveLetter);
    public const string InvalidMountOption = nameof(InvalidMountOption);
    public const string InvalidMountPoint = nameof(InvalidMountPoint);
    public const string TagHasControlCharacter = nameof(TagHasControlCharacter);
    public const string TagHasWhitespace = nameof(TagHasWhitespace);

    // Files
    public const string FileLocked = nameof(FileLocked);
    public const string FileWriteFailed = nameof(FileWriteFailed);

    // Public types
    public const string InvalidIdMap = nameof(InvalidIdMap);

    // Cmdlet input
    public const string AllocateNeedsHugePages = nameof(AllocateNeedsHugePages);
    public const string DaemonNotFound = nameof(DaemonNotFound);
    public const string HugePagesNotSupported = nameof(HugePagesNotSupported);
    public const string HugePagesUnavailable = nameof(HugePagesUnavailable);
    public const string HugeTlbFsMountNotFound = nameof(HugeTlbFsMountNotFound);
    public const string InputObjectNotUsable = nameof(InputObjectNotUsable);
    public const string MemoryBackingDirNotFound = nameof(MemoryBackingDirNotFound);
    public const string NegativePageCount = nameof(NegativePageCount);
    public const string NoSettingGiven = nameof(NoSettingGiven);
    public const string NumaNodeNotFound = nameof(NumaNodeNotFound);
    public const string PathNotAbsolute = nameof(PathNotAbsolute);
    public const string PathNotFileSystem = nameof(PathNotFileSystem);
    public const string PathNotUnique = nameof(PathNotUnique);
    public const string PersistNotRemote = nameof(PersistNotRemote);
    public const string QemuConfigKeyNotFound = nameof(QemuConfigKeyNotFound);
    public const string RemoteObjectUri = nameof(RemoteObjectUri);
    public const string SetAndResetSameOption = nameof(SetAndResetSameOption);
}
