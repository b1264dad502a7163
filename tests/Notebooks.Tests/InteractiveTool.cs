using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive.Documents;

namespace Notebooks.Tests;

/// <summary>
/// The real <c>dotnet-interactive</c> tool (pinned in .config/dotnet-tools.json) in <c>stdio</c> mode, driven as
/// the VS Code Polyglot Notebooks extension drives it: one tool process per notebook, started with
/// <c>--working-dir</c> set to the notebook's folder; one <c>SubmitCode</c> command per code cell, in file order,
/// each sent as a JSON envelope on one line of standard input and awaited until the tool answers
/// <c>CommandSucceeded</c> or <c>CommandFailed</c> for that command's token.
/// The tool is started in its own process group (through <c>setsid</c>), and <see cref="Dispose"/> kills the whole
/// group: <c>dotnet tool run</c> starts the kernel as a child, which would outlive a kill of the wrapper alone.
/// </summary>
internal sealed class InteractiveTool : IDisposable
{
    private const int SigKill = 9;
    private readonly Process process;
    private readonly BlockingCollection<JsonObject> events = new();
    private readonly StringBuilder diagnostics = new();
    private readonly Task stdoutReader;
    private readonly Task stderrReader;
    private int submitted;
    private bool disposed;

    private InteractiveTool(string workingDir)
    {
        var info = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false, WorkingDirectory = Course.Root, // where the tool manifest is
            StandardInputEncoding = new UTF8Encoding(false), StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var a in new[] { "dotnet", "tool", "run", "dotnet-interactive", "--", "stdio", "--working-dir", workingDir })
            info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1";
        process = Process.Start(info) ?? throw new InvalidOperationException("setsid dotnet tool run dotnet-interactive did not start.");
        // setsid runs the tool in place (a child of this test process is never a group leader), so the tool's
        // process id is also the id of its new process group.
        ProcessGroup = process.Id;
        stdoutReader = Task.Run(ReadEvents);
        stderrReader = Task.Run(() =>
        {
            for (string? line; (line = process.StandardError.ReadLine()) is not null;) Note(line);
        });
    }

    /// <summary>The id of the tool's process group (every process it starts is in it).</summary>
    public int ProcessGroup { get; }

    /// <summary>Starts the tool for a notebook folder and waits until its kernel is ready.</summary>
    /// <param name="workingDir">The folder the kernel changes to (the notebook's).</param>
    /// <param name="limit">How long the start may take.</param>
    /// <returns>The running tool; dispose it to end every process it started.</returns>
    public static InteractiveTool Start(string workingDir, TimeSpan limit)
    {
        var tool = new InteractiveTool(workingDir);
        try
        {
            tool.WaitFor(e => (string?)e["eventType"] == "KernelReady", limit, "the kernel did not report KernelReady");
            return tool;
        }
        catch
        {
            tool.Dispose();
            throw;
        }
    }

    /// <summary>Submits one cell and waits for the tool's verdict on it.</summary>
    /// <param name="code">The cell's code, as the notebook has it.</param>
    /// <param name="kernelName">The cell's kernel (csharp, fsharp, ...).</param>
    /// <param name="limit">How long the cell may run.</param>
    /// <returns>Null when the command succeeded, else the tool's error message.</returns>
    public string? Submit(string code, string kernelName, TimeSpan limit)
    {
        string token = $"cell-{++submitted}";
        var envelope = new JsonObject
        {
            ["token"] = token,
            ["commandType"] = "SubmitCode",
            ["command"] = new JsonObject { ["code"] = code, ["targetKernelName"] = kernelName },
        };
        process.StandardInput.WriteLine(envelope.ToJsonString());
        process.StandardInput.Flush();
        var verdict = WaitFor(
            e => (string?)e["eventType"] is "CommandSucceeded" or "CommandFailed" && (string?)e["command"]?["token"] == token,
            limit, $"no CommandSucceeded or CommandFailed for {token}");
        return (string?)verdict["eventType"] == "CommandFailed" ? (string?)verdict["event"]?["message"] ?? "(no message)" : null;
    }

    /// <summary>Runs every code cell of a .dib file in a fresh tool started in the file's folder.</summary>
    /// <param name="dib">The notebook.</param>
    /// <param name="cellLimit">How long one cell may run.</param>
    /// <returns>The first failed cell (its number, code and error), or null when every cell succeeded.</returns>
    public static string? RunNotebook(string dib, TimeSpan cellLimit)
    {
        var document = CodeSubmission.Parse(File.ReadAllText(dib), KernelInfos());
        using var tool = Start(Path.GetDirectoryName(Path.GetFullPath(dib))!, TimeSpan.FromMinutes(3));
        int number = 0;
        foreach (var cell in document.Elements)
        {
            number++;
            string kernel = cell.KernelName ?? "csharp";
            if (kernel == "markdown" || cell.Contents.Trim().Length == 0) continue; // VS Code submits code cells only
            if (tool.Submit(cell.Contents, kernel, cellLimit) is { } error)
                return $"{Path.GetFileName(dib)}, cell {number} failed in dotnet-interactive:\n{cell.Contents}\n--- error ---\n{error}";
        }
        return null;
    }

    /// <summary>Ids of the processes still in a process group (zombies, already dead, are not counted).</summary>
    /// <param name="group">A process group id.</param>
    /// <returns>The live members.</returns>
    public static List<int> Members(int group)
    {
        var members = new List<int>();
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // ended while listed
            }
            // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so read after the last ')'.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[0] != "Z" && int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture) == group) members.Add(pid);
        }
        return members;
    }

    /// <summary>Kills the tool's whole process group and waits until none of its processes is left.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // the tool has already gone
        }
        _ = Kill(-ProcessGroup, SigKill);
        process.WaitForExit();
        for (int i = 0; i < 100 && Members(ProcessGroup).Count > 0; i++) Thread.Sleep(50);
        Task.WaitAll([stdoutReader, stderrReader], TimeSpan.FromSeconds(10));
        process.Dispose();
        events.Dispose();
    }

    private static KernelInfoCollection KernelInfos() =>
    [
        new KernelInfo("csharp", languageName: "C#", aliases: ["c#", "C#"]),
        new KernelInfo("fsharp", languageName: "F#", aliases: ["f#", "F#"]),
        new KernelInfo("pwsh", languageName: "PowerShell", aliases: ["powershell"]),
        new KernelInfo("html", languageName: "HTML"),
        new KernelInfo("javascript", languageName: "JavaScript", aliases: ["js"]),
        new KernelInfo("mermaid", languageName: "Mermaid"),
        new KernelInfo("value"),
        new KernelInfo("markdown", languageName: "Markdown", aliases: ["md"]),
    ];

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private JsonObject WaitFor(Func<JsonObject, bool> match, TimeSpan limit, string what)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !events.TryTake(out var e, left))
            {
                throw new TimeoutException(
                    (events.IsCompleted ? $"dotnet-interactive exited: {what}." : $"{what} within {limit}.") + $"\n{Tail()}");
            }
            if (match(e)) return e;
        }
    }

    private void ReadEvents()
    {
        for (string? line; (line = process.StandardOutput.ReadLine()) is not null;)
        {
            JsonObject? e = null;
            if (line.StartsWith('{'))
            {
                try
                {
                    e = JsonNode.Parse(line) as JsonObject;
                }
                catch (JsonException)
                {
                    // not an envelope
                }
            }
            if (e is not null && e.ContainsKey("eventType")) events.Add(e);
            else Note(line);
        }
        events.CompleteAdding();
    }

    private void Note(string line)
    {
        lock (diagnostics)
        {
            if (diagnostics.Length < 20_000) diagnostics.AppendLine(line);
        }
    }

    private string Tail()
    {
        lock (diagnostics)
        {
            string text = diagnostics.ToString();
            return text.Length <= 2000 ? text : text[^2000..];
        }
    }
}
