using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using NotebookRunner.Documents;

namespace NotebookRunner.Execution;

/// <summary>
/// The child side: one process executes one chapter in-process and streams what happens to the parent
/// over the private channel (see <see cref="ProtocolClient"/> and <see cref="Wire"/>). The parent owns timeouts:
/// it kills this process's group when a cell runs too long. Execution stops at the first failed cell, as
/// "Run All" does.
/// </summary>
internal static partial class ChildHost
{
    /// <summary>The command-line flag that selects child mode.</summary>
    public const string Flag = "--child";

    private static readonly object WriteLock = new();
    private static StreamWriter? protocol;

    /// <summary>Runs one chapter.</summary>
    /// <param name="chapterPath">Full path of the .dib file.</param>
    /// <param name="solutionsFile">The chapter's reference solutions, run in place of its exercise stubs; null: run the stubs.</param>
    /// <returns>The process exit code: 0 when the chapter ran to the end (whether or not a cell failed).</returns>
    public static async Task<int> RunAsync(string chapterPath, string? solutionsFile = null)
    {
        // First of all: lead a process group, so that whatever a cell starts ends with the chapter.
        int group = ProcessGroup.BecomeLeader();
        protocol = ProtocolClient.Connect();
        Send(new WireEvent { Type = WireEvent.Hello, Cell = group });
        var clock = Stopwatch.StartNew();
        try
        {
            // The stock kernel loads FSharp.Core 10.0 at start (it hosts F#); load it too, so that assembly
            // resolution in a chapter behaves the same here as in VS Code.
            _ = typeof(Microsoft.FSharp.Core.Unit).Assembly;

            var document = ChapterDocument.Load(chapterPath);
            if (solutionsFile is not null) document = ExerciseSolutions.Apply(document, solutionsFile);
            Directory.SetCurrentDirectory(Path.GetDirectoryName(document.Path)!);
            using var kernel = KernelFactory.Create(document.Path);
            Send(new WireEvent { Type = WireEvent.Ready, Ms = clock.ElapsedMilliseconds });

            foreach (var cell in document.CodeCells)
            {
                bool passed = await RunCellAsync(kernel, cell);
                if (!passed) break;
            }
            Send(new WireEvent { Type = WireEvent.Done, Ms = clock.ElapsedMilliseconds });
            return 0;
        }
        catch (Exception e)
        {
            Send(new WireEvent { Type = WireEvent.Fatal, Error = e.Message, Trace = e.ToString() });
            return 3;
        }
    }

    private static async Task<bool> RunCellAsync(CompositeKernel kernel, Cell cell)
    {
        Send(new WireEvent { Type = WireEvent.CellStart, Cell = cell.Number });
        var clock = Stopwatch.StartNew();
        var command = new SubmitCode(cell.Code, cell.KernelName);
        string? error = null;
        string? trace = null;

        using var subscription = kernel.KernelEvents.Subscribe(e =>
        {
            switch (e)
            {
                case ErrorProduced produced:
                    error ??= produced.Message;
                    Emit(cell, new CellOutput { Kind = "error", Text = produced.Message }, false);
                    break;
                case StandardOutputValueProduced stdout:
                    Emit(cell, new CellOutput { Kind = "stdout", Text = PlainText(stdout) }, false);
                    break;
                case StandardErrorValueProduced stderr:
                    Emit(cell, new CellOutput { Kind = "stderr", Text = PlainText(stderr) }, false);
                    break;
                case ReturnValueProduced { Value: DisplayedValue }:
                    break;
                case DisplayEvent display:
                    Emit(cell, new CellOutput
                    {
                        Kind = "display",
                        ValueId = display.ValueId,
                        Data = display.FormattedValues.ToDictionary(v => v.MimeType, v => v.Value),
                    }, display is DisplayedValueUpdated);
                    break;
                case CommandFailed failed when ReferenceEquals(failed.Command, command) || error is null:
                    (error, trace) = Split(failed.Message, failed.Exception);
                    break;
            }
        });

        KernelCommandResult result;
        var submission = Stopwatch.StartNew();
        try
        {
            result = await kernel.SendAsync(command);
        }
        catch (Exception e)
        {
            (error, trace) = Split(e.Message, e);
            result = null!;
        }
        ReportPhase(cell.Code, submission.Elapsed);
        if (error is null && result?.Events.OfType<CommandFailed>().FirstOrDefault() is { } failure)
            (error, trace) = Split(failure.Message, failure.Exception);

        bool passed = error is null;
        if (!passed) Emit(cell, new CellOutput { Kind = "error", Text = trace is null ? error : error + "\n" + trace }, false);
        Send(new WireEvent
        {
            Type = WireEvent.CellEnd,
            Cell = cell.Number,
            Ms = clock.ElapsedMilliseconds,
            Status = passed ? "passed" : "failed",
            Error = error,
            Trace = trace,
        });
        return passed;
    }

    /// <summary>
    /// Reports the time of a submission the summary shows apart (see <see cref="WireEvent.Phase"/>): one that restores
    /// packages, one that loads a library, or any other cell of an imported notebook (the shared set-up, where the
    /// kernel's first compilation happens).
    /// </summary>
    /// <param name="code">The submitted code.</param>
    /// <param name="elapsed">Its time.</param>
    /// <param name="imported">True for a cell of an imported notebook.</param>
    public static void ReportPhase(string code, TimeSpan elapsed, bool imported = false)
    {
        string? phase = NugetReference().IsMatch(code) ? "restore" : AssemblyReference().IsMatch(code) ? "load" : imported ? "setup" : null;
        if (phase is not null && protocol is not null)
            Send(new WireEvent { Type = WireEvent.Phase, Status = phase, Ms = (long)elapsed.TotalMilliseconds });
    }

    [GeneratedRegex(@"^\s*#r\s+""nuget:", RegexOptions.Multiline)]
    private static partial Regex NugetReference();

    [GeneratedRegex(@"^\s*#r\s+""", RegexOptions.Multiline)]
    private static partial Regex AssemblyReference();

    private static (string Error, string? Trace) Split(string? message, Exception? exception)
    {
        message = string.IsNullOrWhiteSpace(message) ? exception?.Message ?? "the cell failed" : message;
        var lines = message.Replace("\r\n", "\n").Split('\n');
        string first = lines[0];
        string? rest = lines.Length > 1 ? string.Join("\n", lines[1..]).Trim('\n') : null;
        if (string.IsNullOrWhiteSpace(rest) && exception?.StackTrace is { } stack) rest = stack;
        return (first, string.IsNullOrWhiteSpace(rest) ? null : rest);
    }

    private static string PlainText(DisplayEvent e) =>
        e.FormattedValues.FirstOrDefault(v => v.MimeType == "text/plain")?.Value
        ?? e.FormattedValues.FirstOrDefault()?.Value
        ?? e.Value?.ToString()
        ?? "";

    private static void Emit(Cell cell, CellOutput output, bool replace) =>
        Send(new WireEvent { Type = WireEvent.Output, Cell = cell.Number, Payload = output, Replace = replace });

    private static void Send(WireEvent e)
    {
        lock (WriteLock)
        {
            try
            {
                protocol!.WriteLine(Wire.Encode(e));
            }
            catch (IOException)
            {
                // The runner is gone: nobody is left to report to.
                Environment.Exit(4);
            }
        }
    }
}
