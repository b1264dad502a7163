using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using NotebookRunner.Documents;

namespace NotebookRunner.Execution;

/// <summary>What the parent reports while a chapter runs (progress display, plain log).</summary>
internal interface IChapterObserver
{
    /// <summary>The kernel process is up and its kernel built.</summary>
    /// <param name="chapter">The chapter.</param>
    void KernelReady(ChapterResult chapter);

    /// <summary>A code cell starts.</summary>
    /// <param name="chapter">The chapter.</param>
    /// <param name="cell">The cell.</param>
    void CellStarted(ChapterResult chapter, CellResult cell);

    /// <summary>A code cell ended (passed, failed or timed out).</summary>
    /// <param name="chapter">The chapter.</param>
    /// <param name="cell">The cell.</param>
    void CellFinished(ChapterResult chapter, CellResult cell);
}

/// <summary>
/// The parent side of one chapter: starts a child process (this same program with <see cref="ChildHost.Flag"/>)
/// in the chapter's folder, follows its events, enforces the per-cell timeout by killing the process tree,
/// and builds the <see cref="ChapterResult"/>, partial when the chapter stopped early.
/// </summary>
internal sealed class ChapterProcess(TimeSpan cellTimeout, TimeSpan startTimeout)
{
    /// <summary>Folder of reference solutions run in place of the chapters' exercise stubs (see <see cref="ExerciseSolutions"/>); null: run the stubs.</summary>
    public string? SolutionsDir { get; init; }

    private readonly TimeSpan cellTimeout = cellTimeout;
    private readonly TimeSpan startTimeout = startTimeout;

    /// <summary>Runs a chapter to the end, to its first failure, or to a timeout.</summary>
    /// <param name="document">The chapter.</param>
    /// <param name="observer">Receives progress.</param>
    /// <returns>The result; never throws for a failing chapter.</returns>
    public async Task<ChapterResult> RunAsync(ChapterDocument document, IChapterObserver observer)
    {
        var result = new ChapterResult(document);
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = ChildStartInfo(document) };
        var events = Channel.CreateUnbounded<WireEvent?>();
        var stderr = new StringBuilder();
        var stray = new StringBuilder();

        process.Start();
        process.StandardInput.Close(); // a cell that reads input gets end-of-file, not a wait until the timeout
        var stdoutPump = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                var e = Wire.Decode(line);
                if (e is not null) await events.Writer.WriteAsync(e);
                else lock (stray) stray.AppendLine(line);
            }
            events.Writer.TryWrite(null); // end of stream
        });
        var stderrPump = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
                lock (stderr) stderr.AppendLine(line);
        });

        CellResult? current = null;
        var cellClock = new Stopwatch();
        bool ready = false, done = false;
        var byNumber = result.Cells.ToDictionary(c => c.Cell.Number);

        while (!done)
        {
            TimeSpan limit = !ready ? startTimeout - clock.Elapsed
                : current is not null ? cellTimeout - cellClock.Elapsed
                : cellTimeout;
            using var cts = new CancellationTokenSource(limit > TimeSpan.Zero ? limit : TimeSpan.Zero);
            WireEvent? e;
            try
            {
                e = await events.Reader.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                if (current is not null)
                {
                    current.Status = CellStatus.TimedOut;
                    current.Duration = cellClock.Elapsed;
                    current.Error = $"cell {current.Cell.Number} ran longer than the {cellTimeout.TotalSeconds:0.#} s timeout and was stopped (its kernel process was killed).";
                    current.Outputs.Add(new CellOutput { Kind = "error", Text = current.Error });
                    observer.CellFinished(result, current);
                }
                else
                {
                    result.ChapterError = ready
                        ? $"the kernel went silent for {cellTimeout.TotalSeconds:0.#} s between cells and was stopped."
                        : $"the kernel did not start within {startTimeout.TotalSeconds:0.#} s.{Tail(stderr)}";
                }
                break;
            }
            catch (ChannelClosedException)
            {
                e = null;
            }

            if (e is null)
            {
                // The child's output ended without "done": it crashed or exited.
                await process.WaitForExitAsync();
                string why = $"the kernel process exited unexpectedly (exit code {process.ExitCode}).{Tail(stderr)}";
                if (current is not null)
                {
                    current.Status = CellStatus.Failed;
                    current.Duration = cellClock.Elapsed;
                    current.Error = why;
                    current.Outputs.Add(new CellOutput { Kind = "error", Text = why });
                    observer.CellFinished(result, current);
                }
                else
                {
                    result.ChapterError = why;
                }
                break;
            }

            switch (e.Type)
            {
                case WireEvent.Ready:
                    ready = true;
                    result.KernelStart = clock.Elapsed;
                    observer.KernelReady(result);
                    break;
                case WireEvent.CellStart:
                    current = byNumber[e.Cell];
                    cellClock.Restart();
                    observer.CellStarted(result, current);
                    break;
                case WireEvent.Output when e.Payload is not null:
                    byNumber[e.Cell].AddOutput(e.Payload, e.Replace);
                    break;
                case WireEvent.CellEnd:
                    var cell = byNumber[e.Cell];
                    cell.Status = e.Status == "passed" ? CellStatus.Passed : CellStatus.Failed;
                    cell.Duration = TimeSpan.FromMilliseconds(e.Ms);
                    cell.Error = e.Error;
                    cell.Trace = e.Trace;
                    current = null;
                    observer.CellFinished(result, cell);
                    break;
                case WireEvent.Fatal:
                    result.ChapterError = e.Error + (e.Trace is null ? "" : "\n" + e.Trace);
                    done = true;
                    break;
                case WireEvent.Done:
                    done = true;
                    break;
            }
        }

        if (!process.HasExited)
        {
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await process.WaitForExitAsync(exit.Token); }
            catch (OperationCanceledException) { Kill(process); }
        }
        await Task.WhenAll(stdoutPump, stderrPump).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        result.Duration = clock.Elapsed;
        return result;
    }

    private ProcessStartInfo ChildStartInfo(ChapterDocument document)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            // VS Code starts the kernel in the notebook's folder; relative paths in a chapter depend on it.
            WorkingDirectory = Path.GetDirectoryName(document.Path)!,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        string host = Environment.ProcessPath ?? "dotnet";
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            info.FileName = host;
            info.ArgumentList.Add(typeof(ChildHost).Assembly.Location);
        }
        else
        {
            info.FileName = host;
        }
        info.ArgumentList.Add(ChildHost.Flag);
        info.ArgumentList.Add(document.Path);
        if (SolutionsDir is not null) info.ArgumentList.Add(ExerciseSolutions.FileFor(SolutionsDir, document.Path));
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1";
        return info;
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static string Tail(StringBuilder stderr)
    {
        string text;
        lock (stderr) text = stderr.ToString().Trim();
        if (text.Length == 0) return "";
        var lines = text.Split('\n');
        return "\n" + string.Join("\n", lines.TakeLast(15));
    }
}
