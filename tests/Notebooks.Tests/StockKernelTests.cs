using System.Diagnostics;
using System.Text.Json;

namespace Notebooks.Tests;

/// <summary>
/// Every chapter also runs in the stock kernel: dotnet-repl 0.3.259 (pinned in .config/dotnet-tools.json),
/// which embeds the same .NET Interactive build as the VS Code tool. It is started from the chapter's folder,
/// as VS Code starts its kernel (dotnet-repl's --working-dir has no effect).
/// </summary>
public sealed class StockKernel
{
    /// <summary>Restores the pinned tool and builds the library the chapters load.</summary>
    public StockKernel()
    {
        var (exit, output) = Dotnet(Course.Root, ["tool", "restore"], TimeSpan.FromMinutes(5));
        if (exit != 0) throw new InvalidOperationException("dotnet tool restore failed:\n" + output);
        Course.BuildLibrary();
    }

    /// <summary>Runs dotnet with arguments in a folder.</summary>
    /// <param name="folder">Working directory.</param>
    /// <param name="args">Arguments.</param>
    /// <param name="limit">Time limit.</param>
    /// <returns>Exit code and output.</returns>
    public static (int ExitCode, string Output) Dotnet(string folder, IEnumerable<string> args, TimeSpan limit)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false, WorkingDirectory = folder };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish within {limit}.");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}

/// <summary>Chapters in the stock kernel, with zero failed cells.</summary>
[Collection(NotebookCollection.Name)]
public sealed class StockKernelTests(StockKernel stock) : IClassFixture<StockKernel>
{
    public static TheoryData<string> Chapters => Course.Chapters();

    [Theory]
    [MemberData(nameof(Chapters))]
    public void Chapter_runs_in_the_stock_kernel_with_no_failed_cell(string chapter)
    {
        Assert.NotNull(stock);
        string result = Path.Combine(Course.TempFolder("stock"), Path.ChangeExtension(chapter, ".ipynb"));
        var (exit, output) = StockKernel.Dotnet(Course.Notebooks,
            ["tool", "run", "dotnet-repl", "--", "--run", chapter, "--exit-after-run", "--output-format", "ipynb", "--output-path", result],
            TimeSpan.FromMinutes(15));
        Assert.True(File.Exists(result), $"dotnet-repl wrote no notebook for {chapter} (exit code {exit}):\n{output}");
        using var json = JsonDocument.Parse(File.ReadAllText(result));
        int number = 0;
        foreach (var cell in json.RootElement.GetProperty("cells").EnumerateArray())
        {
            number++;
            if (!cell.TryGetProperty("outputs", out var outputs)) continue;
            foreach (var o in outputs.EnumerateArray())
            {
                if (o.GetProperty("output_type").GetString() == "error")
                    Assert.Fail($"{chapter}, cell {number} failed in the stock kernel: {o.GetProperty("evalue").GetString()}");
            }
        }
        Assert.Equal(0, exit);
    }
}
