// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace VirtioFs.Platform;

/// <summary>
/// Signals, reaping and detached starts for the daemon supervisor. posix_spawn is used instead of System.Diagnostics.Process because
/// Process can only redirect output into pipes owned by this PowerShell process (the daemon would get SIGPIPE
/// once the session ends) and cannot start the child in a new session.
/// </summary>
internal static unsafe class Processes
{
    public static long ClockTicksPerSecond()
    {
        const int _SC_CLK_TCK = 2;
        var t = LibC.SysConf(_SC_CLK_TCK);
        return t > 0 ? t : 100;
    }

    /// <summary>Sends a signal; false when the process does not exist.</summary>
    public static bool Signal(int pid, int sig)
    {
        if (LibC.Kill(pid, sig) == 0)
        {
            return true;
        }
        var errno = Marshal.GetLastPInvokeError();
        if (errno == LibC.ESRCH)
        {
            return false;
        }
        throw new InvalidOperationException($"kill({pid}, {sig}) failed: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>
    /// Reaps the process if it is our child and has exited, so it does not linger as a zombie while this
    /// PowerShell session lives. Returns the pid when reaped, 0 when it is our child but not reapable yet
    /// (a multi-threaded daemon's leader shows 'Z' until its last thread is gone), -1 when it is not our child.
    /// </summary>
    public static int TryReap(int pid)
    {
        int status;
        return LibC.WaitPid(pid, &status, LibC.WNOHANG);
    }

    /// <summary>
    /// Starts <paramref name="path"/> with <paramref name="argv"/> in a new session (setsid), stdin from /dev/null,
    /// stdout and stderr appended to <paramref name="logPath"/>, default signal dispositions and an empty mask
    /// (.NET ignores SIGPIPE; the daemon must not inherit that). Returns the pid, which is the daemon's own pid
    /// because no intermediate process is involved.
    /// </summary>
    public static int SpawnDetached(string path, IReadOnlyList<string> argv, string logPath)
    {
        var env = new List<string>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            env.Add($"{e.Key}={e.Value}");
        }
        var allocations = new List<IntPtr>();
        IntPtr Str(string s)
        {
            var p = Marshal.StringToCoTaskMemUTF8(s);
            allocations.Add(p);
            return p;
        }
        // glibc's posix_spawnattr_t is 336 bytes, posix_spawn_file_actions_t 80, sigset_t 128: over-allocate.
        var attr = Marshal.AllocHGlobal(1024);
        var fa = Marshal.AllocHGlobal(1024);
        var sigs = Marshal.AllocHGlobal(256);
        var argvPtr = Marshal.AllocHGlobal(IntPtr.Size * (argv.Count + 2));
        var envPtr = Marshal.AllocHGlobal(IntPtr.Size * (env.Count + 1));
        try
        {
            var argvArr = (IntPtr*)argvPtr;
            argvArr[0] = Str(path);
            for (var i = 0; i < argv.Count; i++)
            {
                argvArr[i + 1] = Str(argv[i]);
            }
            argvArr[argv.Count + 1] = IntPtr.Zero;
            var envArr = (IntPtr*)envPtr;
            for (var i = 0; i < env.Count; i++)
            {
                envArr[i] = Str(env[i]);
            }
            envArr[env.Count] = IntPtr.Zero;

            Check(LibC.PosixSpawnAttrInit((void*)attr), "posix_spawnattr_init");
            Check(LibC.PosixSpawnFileActionsInit((void*)fa), "posix_spawn_file_actions_init");
            try
            {
                LibC.SigFillSet((void*)sigs);
                Check(LibC.PosixSpawnAttrSetSigDefault((void*)attr, (void*)sigs), "posix_spawnattr_setsigdefault");
                LibC.SigEmptySet((void*)sigs);
                Check(LibC.PosixSpawnAttrSetSigMask((void*)attr, (void*)sigs), "posix_spawnattr_setsigmask");
                Check(LibC.PosixSpawnAttrSetFlags((void*)attr, (short)(LibC.POSIX_SPAWN_SETSID | LibC.POSIX_SPAWN_SETSIGDEF | LibC.POSIX_SPAWN_SETSIGMASK)),
                    "posix_spawnattr_setflags");
                Check(LibC.PosixSpawnFileActionsAddOpen((void*)fa, 0, (byte*)Str("/dev/null"), LibC.O_RDONLY, 0), "addopen stdin");
                Check(LibC.PosixSpawnFileActionsAddOpen((void*)fa, 1, (byte*)Str(logPath), LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND, 0x180),
                    "addopen stdout");
                Check(LibC.PosixSpawnFileActionsAddDup2((void*)fa, 1, 2), "adddup2 stderr");
                int pid;
                var rc = LibC.PosixSpawn(&pid, (byte*)argvArr[0], (void*)fa, (void*)attr, (byte**)argvPtr, (byte**)envPtr);
                if (rc != 0)
                {
                    throw new InvalidOperationException($"posix_spawn('{path}') failed: {Marshal.GetPInvokeErrorMessage(rc)}");
                }
                return pid;
            }
            finally
            {
                LibC.PosixSpawnFileActionsDestroy((void*)fa);
                LibC.PosixSpawnAttrDestroy((void*)attr);
            }
        }
        finally
        {
            foreach (var p in allocations)
            {
                Marshal.FreeCoTaskMem(p);
            }
            Marshal.FreeHGlobal(attr);
            Marshal.FreeHGlobal(fa);
            Marshal.FreeHGlobal(sigs);
            Marshal.FreeHGlobal(argvPtr);
            Marshal.FreeHGlobal(envPtr);
        }
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0)
        {
            throw new InvalidOperationException($"{what} failed: {Marshal.GetPInvokeErrorMessage(rc)}");
        }
    }
}
