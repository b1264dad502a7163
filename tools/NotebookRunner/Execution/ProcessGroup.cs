using System.Runtime.InteropServices;

namespace NotebookRunner.Execution;

/// <summary>
/// A chapter's kernel process leads its own process group (and session), so that every process a cell starts
/// belongs to the group and ends with the chapter, even after the kernel process itself has exited and its
/// children were handed to init. POSIX only; elsewhere the runner falls back to ending the process tree.
/// </summary>
internal static class ProcessGroup
{
    private const int SigKill = 9;

    /// <summary>Makes the calling process the leader of a new session and process group (the child calls this first).</summary>
    /// <returns>The new group id, or -1 where that is not possible.</returns>
    public static int BecomeLeader()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return -1;
        return SetSid();
    }

    /// <summary>Sends SIGKILL to every process of a group.</summary>
    /// <param name="groupId">The group id (the leader's process id).</param>
    /// <returns>True when a signal was delivered (some process of the group was still there).</returns>
    public static bool KillAll(int groupId)
    {
        if (groupId <= 1 || (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())) return false;
        return Kill(-groupId, SigKill) == 0;
    }

    [DllImport("libc", EntryPoint = "setsid")]
    private static extern int SetSid();

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
