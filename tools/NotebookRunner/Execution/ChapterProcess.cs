using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
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
/// in the chapter's folder, follows its events on the private channel (<see cref="ProtocolListener"/>), keeps
/// what the process writes to its standard output and error as output (never as protocol), enforces the
/// per-cell timeout, ends the chapter's whole process group when the chapter ends, and builds the
/// <see cref="ChapterResult"/>, partial when the chapter stopped early. A failing chapter never throws.
/// </summary>
internal sealed class ChapterProcess(TimeSpan cellTimeout, TimeSpan startTimeout)
{
    // The process groups of the chapters running now, ended if the runner itself is stopped.
    private static readonly ConcurrentDictionary<int, byte> Groups = new();

    /// <summary>Folder of reference solutions run in place of the chapters' exercise stubs (see <see cref="ExerciseSolutions"/>); null: run the stubs.</summary>
    public string? SolutionsDir { get; init; }

    private readonly TimeSpan cellTimeout = cellTimeout;
    private readonly TimeSpan startTimeout = startTimeout;

    /// <summary>Ends the process group of every chapter still running (the runner is being stopped).</summary>
    public static void EndAll()
    {
        foreach (int group in Groups.Keys) ProcessGroup.KillAll(group);
    }

    /// <summary>Runs a chapter to the end, to its first failure, or to a timeout.</summary>
    /// <param name="document">The chapter.</param>
    /// <param name="observer">Receives progress.</param>
    /// <returns>The result; never throws for a failing chapter.</returns>
    public async Task<ChapterResult> RunAsync(ChapterDocument document, IChapterObserver observer)
    {
        var result = new ChapterResult(document);
        var clock = Stopwatch.StartNew();
        using var channel = new ProtocolListener();
        using var process = new Process { StartInfo = ChildStartInfo(document, channel) };
        var inbox = Channel.CreateUnbounded<Incoming>(new UnboundedChannelOptions { SingleReader = true });
        var stderr = new BoundedText();
        int group = -1;

        process.Start();
        process.StandardInput.Close(); // a cell that reads input gets end-of-file, not a wait until the timeout
        var exited = process.WaitForExitAsync();
        var stdoutPump = Pump(process.StandardOutput, "stdout", inbox.Writer, null);
        var stderrPump = Pump(process.StandardError, "stderr", inbox.Writer, stderr);
        var protocolPump = ReadProtocolAsync(channel, exited, inbox.Writer);

        CellResult? current = null, last = null;
        var cellClock = new Stopwatch();
        bool ready = false;
        var byNumber = result.Cells.ToDictionary(c => c.Cell.Number);
        try
        {
            while (true)
            {
                TimeSpan limit = !ready ? startTimeout - clock.Elapsed
                    : current is not null ? cellTimeout - cellClock.Elapsed
                    : cellTimeout;
                using var cts = new CancellationTokenSource(limit > TimeSpan.Zero ? limit : TimeSpan.Zero);
                Incoming next;
                try
                {
                    next = await inbox.Reader.ReadAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    End(process, group);
                    if (current is not null)
                    {
                        string why = $"cell {current.Cell.Number} ran longer than the {cellTimeout.TotalSeconds:0.#} s timeout and was stopped (its kernel process was killed).";
                        Fail(result, current, cellClock, why, CellStatus.TimedOut, observer);
                    }
                    else
                    {
                        result.ChapterError = ready
                            ? $"the kernel went silent for {cellTimeout.TotalSeconds:0.#} s between cells and was stopped."
                            : $"the kernel did not start within {startTimeout.TotalSeconds:0.#} s.{Quote(stderr)}";
                    }
                    break;
                }

                if (next.Raw is not null)
                {
                    // Output the kernel did not capture (a process a cell started, native code): it belongs to the
                    // cell running now, or to the chapter.
                    var output = new CellOutput { Kind = next.Stream!, Text = next.Raw };
                    if ((current ?? last) is { } owner) owner.AddOutput(output, false);
                    else if (result.ProcessOutput.Size < CellResult.OutputLimit) result.ProcessOutput.Append(next.Raw);
                    continue;
                }

                if (next.End is not null)
                {
                    // The channel closed without "done": the process died, or broke the protocol.
                    await exited.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
                    await Task.WhenAny(stderrPump, Task.Delay(TimeSpan.FromSeconds(2)));
                    string why = process.HasExited ? CrashCause.Describe(process.ExitCode, stderr.ToString()) : next.End;
                    if (current is not null) Fail(result, current, cellClock, why, CellStatus.Failed, observer);
                    else result.ChapterError = why;
                    break;
                }

                var e = next.Event!;
                if (!Apply(e, result, byNumber, ref current, ref last, ref ready, ref group, cellClock, clock, observer)) break;
            }
        }
        finally
        {
            End(process, group);
            Groups.TryRemove(group, out _);
        }

        await Task.WhenAll(stdoutPump, stderrPump, protocolPump).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        // Drain what the pumps read after the loop ended (the last lines of a crash).
        while (inbox.Reader.TryRead(out var rest))
        {
            if (rest.Raw is not null && (current ?? last) is { } owner) owner.AddOutput(new CellOutput { Kind = rest.Stream!, Text = rest.Raw }, false);
        }
        result.Duration = clock.Elapsed;
        return result;
    }

    /// <summary>Applies one protocol event; false when the chapter is over.</summary>
    private static bool Apply(WireEvent e, ChapterResult result, Dictionary<int, CellResult> byNumber, ref CellResult? current, ref CellResult? last,
        ref bool ready, ref int group, Stopwatch cellClock, Stopwatch clock, IChapterObserver observer)
    {
        CellResult? Cell(int number) => byNumber.TryGetValue(number, out var c) && c.Cell.IsMarkdown is false ? c : null;
        switch (e.Type)
        {
            case WireEvent.Hello:
                group = e.Cell;
                if (group > 1) Groups.TryAdd(group, 0);
                return true;
            case WireEvent.Ready:
                ready = true;
                result.KernelStart = clock.Elapsed;
                observer.KernelReady(result);
                return true;
            case WireEvent.CellStart when Cell(e.Cell) is { } started:
                current = last = started;
                cellClock.Restart();
                observer.CellStarted(result, started);
                return true;
            case WireEvent.Output when e.Payload is not null && Cell(e.Cell) is { } target:
                target.AddOutput(e.Payload, e.Replace);
                return true;
            case WireEvent.Phase:
                var t = TimeSpan.FromMilliseconds(e.Ms);
                if (e.Status == "restore") result.Restore += t;
                else if (e.Status == "load") result.Load += t;
                else if (e.Status == "setup") result.Setup += t;
                return true;
            case WireEvent.CellEnd when Cell(e.Cell) is { } cell:
                cell.Status = e.Status == "passed" ? CellStatus.Passed : CellStatus.Failed;
                cell.Duration = TimeSpan.FromMilliseconds(e.Ms);
                cell.Error = Limit(e.Error);
                cell.Trace = Limit(e.Trace);
                current = null;
                observer.CellFinished(result, cell);
                return true;
            case WireEvent.Fatal:
                result.ChapterError = Limit(e.Error + (e.Trace is null ? "" : "\n" + e.Trace));
                return false;
            case WireEvent.Done:
                return false;
            default:
                result.ChapterError = $"the kernel process sent an event the runner does not understand ({Limit(e.Type, 80)} for cell {e.Cell}).";
                if (current is not null) current.Status = CellStatus.Failed;
                return false;
        }
    }

    private static void Fail(ChapterResult result, CellResult cell, Stopwatch cellClock, string why, CellStatus status, IChapterObserver observer)
    {
        cell.Status = status;
        cell.Duration = cellClock.Elapsed;
        cell.Error = why.Split('\n')[0];
        cell.Trace = why.Contains('\n') ? why[(why.IndexOf('\n') + 1)..] : null;
        cell.AddOutput(new CellOutput { Kind = "error", Text = why }, false);
        observer.CellFinished(result, cell);
    }

    /// <summary>One thing the loop waits for: a protocol event, a piece of raw output, or the end of the channel.</summary>
    private sealed record Incoming(WireEvent? Event = null, string? Raw = null, string? Stream = null, string? End = null);

    private static async Task ReadProtocolAsync(ProtocolListener channel, Task exited, ChannelWriter<Incoming> inbox)
    {
        string end = "the kernel process closed the runner's channel unexpectedly.";
        try
        {
            using var gone = new CancellationTokenSource();
            _ = exited.ContinueWith(_ => gone.CancelAfter(TimeSpan.FromSeconds(1)), TaskScheduler.Default);
            StreamReader reader;
            try
            {
                reader = await channel.AcceptAsync(gone.Token);
            }
            catch (OperationCanceledException)
            {
                await inbox.WriteAsync(new Incoming(End: "the kernel process exited before it connected to the runner."));
                return;
            }
            using (reader)
            {
                while (await reader.ReadLineAsync() is { } line)
                {
                    if (Wire.Decode(line) is { } e) await inbox.WriteAsync(new Incoming(Event: e));
                    else
                    {
                        end = $"the runner's channel carried a line that is not a protocol event: {Limit(line, 200)}";
                        break;
                    }
                }
            }
        }
        catch (IOException e)
        {
            end = "the runner's channel failed: " + e.Message;
        }
        await inbox.WriteAsync(new Incoming(End: end));
    }

    /// <summary>Reads a stream of the child in chunks (no line can be too long, a partial line is just text).</summary>
    private static Task Pump(StreamReader reader, string stream, ChannelWriter<Incoming> inbox, BoundedText? copy) => Task.Run(async () =>
    {
        var buffer = new char[8192];
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            string text = new(buffer, 0, n);
            copy?.Append(text);
            await inbox.WriteAsync(new Incoming(Raw: text, Stream: stream));
        }
    });

    private ProcessStartInfo ChildStartInfo(ChapterDocument document, ProtocolListener channel)
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
        info.FileName = host;
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(typeof(ChildHost).Assembly.Location);
        info.ArgumentList.Add(ChildHost.Flag);
        info.ArgumentList.Add(document.Path);
        if (SolutionsDir is not null) info.ArgumentList.Add(ExerciseSolutions.FileFor(SolutionsDir, document.Path));
        info.Environment[ProtocolListener.PathVariable] = channel.SocketPath;
        info.Environment[ProtocolListener.TokenVariable] = channel.Token;
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1";
        return info;
    }

    /// <summary>Ends the kernel process and every process of its group (what cells started), then waits for it.</summary>
    private static void End(Process process, int group)
    {
        ProcessGroup.KillAll(group);
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exiting while we tried.
        }
    }

    private static string Quote(BoundedText stderr) => stderr.IsBlank ? "" : "\n" + string.Join("\n", stderr.Head.Trim().Split('\n').Take(CrashCause.QuotedLines));

    /// <summary>Error and trace texts are kept to this many characters each.</summary>
    private const int TextLimit = 20_000;

    private static string? Limit(string? text, int max = TextLimit) =>
        text is null || text.Length <= max ? text : text[..max] + string.Create(CultureInfo.InvariantCulture, $"… [{text.Length - max:N0} more characters]");
}
