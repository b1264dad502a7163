using System.Globalization;

namespace NotebookRunner.Execution;

/// <summary>
/// Why a kernel process died, read from its exit code and what the .NET runtime wrote to standard error before
/// it went: a stack overflow (the runtime prints "Stack overflow." and the repeated frames),
/// <c>Environment.FailFast</c> ("Process terminated." and the message), an unhandled exception, or a signal.
/// </summary>
internal static class CrashCause
{
    /// <summary>Lines of standard error quoted after the cause.</summary>
    public const int QuotedLines = 12;

    /// <summary>Describes the death of a kernel process.</summary>
    /// <param name="exitCode">Its exit code (128 + N when signal N ended it).</param>
    /// <param name="stderr">What it wrote to standard error (the beginning is what matters).</param>
    /// <returns>One line with the cause, then the lines of standard error that show it.</returns>
    public static string Describe(int exitCode, string stderr)
    {
        var lines = stderr.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd()).ToList();
        string exit = exitCode > 128 && exitCode < 160
            ? string.Create(CultureInfo.InvariantCulture, $"exit code {exitCode}, signal {Signal(exitCode - 128)}")
            : string.Create(CultureInfo.InvariantCulture, $"exit code {exitCode}");
        int at = lines.FindIndex(l => l.StartsWith("Stack overflow.", StringComparison.Ordinal));
        string cause;
        if (at >= 0)
        {
            cause = "stack overflow (endless recursion?)";
        }
        else if ((at = lines.FindIndex(l => l.StartsWith("Process terminated.", StringComparison.Ordinal))) >= 0)
        {
            string message = lines[at]["Process terminated.".Length..].Trim();
            if (message.Length == 0 && at + 1 < lines.Count) message = lines[at + 1].Trim();
            cause = "Environment.FailFast" + (message.Length > 0 ? ": " + message : "");
        }
        else if ((at = lines.FindIndex(l => l.StartsWith("Unhandled exception.", StringComparison.Ordinal))) >= 0)
        {
            string message = lines[at]["Unhandled exception.".Length..].Trim();
            cause = "unhandled exception" + (message.Length > 0 ? ": " + message : "");
        }
        else
        {
            at = lines.FindIndex(l => l.Length > 0);
            if (exitCode <= 128 || exitCode >= 160)
                return $"the kernel process exited unexpectedly ({exit})." + Quote(lines, at);
            cause = $"ended by signal {Signal(exitCode - 128)}";
        }
        return $"the kernel process died: {cause} ({exit})." + Quote(lines, at);
    }

    private static string Quote(List<string> lines, int at) =>
        at < 0 ? "" : "\n" + string.Join("\n", lines.Skip(at).Where(l => l.Length > 0).Take(QuotedLines));

    private static string Signal(int n) => n switch
    {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        15 => "SIGTERM",
        _ => n.ToString(CultureInfo.InvariantCulture),
    };
}
