// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace VirtioFs.Daemon;

/// <summary>
/// The few libc calls the supervisor needs. posix_spawn is used instead of System.Diagnostics.Process because
/// Process can only redirect output into pipes owned by this PowerShell process (the daemon would get SIGPIPE
/// once the session ends) and cannot start the child in a new session.
/// </summary>
internal static unsafe class Native
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    private const int WNOHANG = 1;
    private const int O_WRONLY = 0x1;
    private const int O_RDONLY = 0x0;
    private const int O_CREAT = 0x40;
    private const int O_APPEND = 0x400;
    // glibc <spawn.h>
    private const short POSIX_SPAWN_SETSIGDEF = 0x04;
    private const short POSIX_SPAWN_SETSIGMASK = 0x08;
    private const short POSIX_SPAWN_SETSID = 0x80;
    private const int ESRCH = 3;

    [DllImport("libc", SetLastError = true)]
    private static extern uint getuid();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc", SetLastError = true)]
    private static extern int waitpid(int pid, int* status, int options);

    [DllImport("libc", SetLastError = true)]
    private static extern long sysconf(int name);

    [DllImport("libc")]
    private static extern int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [DllImport("libc")]
    private static extern int posix_spawnattr_init(void* attr);

    [DllImport("libc")]
    private static extern int posix_spawnattr_destroy(void* attr);

    [DllImport("libc")]
    private static extern int posix_spawnattr_setflags(void* attr, short flags);

    [DllImport("libc")]
    private static extern int posix_spawnattr_setsigdefault(void* attr, void* sigset);

    [DllImport("libc")]
    private static extern int posix_spawnattr_setsigmask(void* attr, void* sigset);

    [DllImport("libc")]
    private static extern int sigfillset(void* set);

    [DllImport("libc")]
    private static extern int sigemptyset(void* set);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_init(void* fa);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_destroy(void* fa);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_addopen(void* fa, int fd, byte* path, int oflag, int mode);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_adddup2(void* fa, int fd, int newfd);

    public static uint GetUid() => getuid();

    public static long ClockTicksPerSecond()
    {
        const int _SC_CLK_TCK = 2;
        var t = sysconf(_SC_CLK_TCK);
        return t > 0 ? t : 100;
    }

    /// <summary>Sends a signal; false when the process does not exist.</summary>
    public static bool Signal(int pid, int sig)
    {
        if (kill(pid, sig) == 0)
        {
            return true;
        }
        var errno = Marshal.GetLastPInvokeError();
        if (errno == ESRCH)
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
        return waitpid(pid, &status, WNOHANG);
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

            Check(posix_spawnattr_init((void*)attr), "posix_spawnattr_init");
            Check(posix_spawn_file_actions_init((void*)fa), "posix_spawn_file_actions_init");
            try
            {
                sigfillset((void*)sigs);
                Check(posix_spawnattr_setsigdefault((void*)attr, (void*)sigs), "posix_spawnattr_setsigdefault");
                sigemptyset((void*)sigs);
                Check(posix_spawnattr_setsigmask((void*)attr, (void*)sigs), "posix_spawnattr_setsigmask");
                Check(posix_spawnattr_setflags((void*)attr, (short)(POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)),
                    "posix_spawnattr_setflags");
                Check(posix_spawn_file_actions_addopen((void*)fa, 0, (byte*)Str("/dev/null"), O_RDONLY, 0), "addopen stdin");
                Check(posix_spawn_file_actions_addopen((void*)fa, 1, (byte*)Str(logPath), O_WRONLY | O_CREAT | O_APPEND, 0x180),
                    "addopen stdout");
                Check(posix_spawn_file_actions_adddup2((void*)fa, 1, 2), "adddup2 stderr");
                int pid;
                var rc = posix_spawn(&pid, (byte*)argvArr[0], (void*)fa, (void*)attr, (byte**)argvPtr, (byte**)envPtr);
                if (rc != 0)
                {
                    throw new InvalidOperationException($"posix_spawn('{path}') failed: {Marshal.GetPInvokeErrorMessage(rc)}");
                }
                return pid;
            }
            finally
            {
                posix_spawn_file_actions_destroy((void*)fa);
                posix_spawnattr_destroy((void*)attr);
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
