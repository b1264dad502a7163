using System.Text.Json;

namespace Notebooks.Tests;

/// <summary>
/// Runs the runner over the sample notebooks in Samples/ (mostly deliberately broken): the hang sample alone with a
/// short cell timeout, every other sample in one run with the runner's default timeout, so that a busy machine
/// cannot push an ordinary cell past a short limit.
/// </summary>
public sealed class SampleRun
{
    /// <summary>Cell timeout of the hang sample's run.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs them all.</summary>
    public SampleRun()
    {
        OutDir = Course.TempFolder("sample-run");
        string hang = Path.Combine(Course.Samples, "hang.dib");
        var others = Directory.GetFiles(Course.Samples, "*.dib").Where(f => f != hang).Order(StringComparer.Ordinal);
        (ExitCode, Output) = Course.Run([.. others, "--out", OutDir, "--plain"], TimeSpan.FromMinutes(10));
        HangOutDir = Course.TempFolder("sample-hang");
        (HangExitCode, HangOutput) = Course.Run([hang, "--out", HangOutDir, "--plain",
            "--timeout", Timeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromMinutes(5));
        Report = JUnit.Load(Path.Combine(OutDir, "junit.xml"));
        HangReport = JUnit.Load(Path.Combine(HangOutDir, "junit.xml"));
    }

    /// <summary>The hang run's exit code.</summary>
    public int HangExitCode { get; }

    /// <summary>Everything the hang run printed.</summary>
    public string HangOutput { get; }

    /// <summary>The hang run's output folder.</summary>
    public string HangOutDir { get; }

    /// <summary>The hang run's JUnit report.</summary>
    public JUnit HangReport { get; }

    /// <summary>The runner's exit code.</summary>
    public int ExitCode { get; }

    /// <summary>Everything it printed.</summary>
    public string Output { get; }

    /// <summary>Its output folder.</summary>
    public string OutDir { get; }

    /// <summary>The JUnit report.</summary>
    public JUnit Report { get; }

    /// <summary>The executed notebook of a chapter, parsed.</summary>
    /// <param name="chapter">Chapter name.</param>
    /// <returns>Its cells (JSON).</returns>
    public JsonElement[] Cells(string chapter)
    {
        string folder = File.Exists(Path.Combine(OutDir, chapter + ".ipynb")) ? OutDir : HangOutDir;
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, chapter + ".ipynb")));
        return json.RootElement.GetProperty("cells").EnumerateArray().Select(c => c.Clone()).ToArray();
    }

    /// <summary>All the text of a cell's outputs.</summary>
    /// <param name="cell">A notebook cell.</param>
    /// <returns>Concatenated output text.</returns>
    public static string OutputText(JsonElement cell) =>
        cell.TryGetProperty("outputs", out var outputs) ? string.Join("\n", outputs.EnumerateArray().Select(o => o.GetRawText())) : "";
}

/// <summary>What the runner does with a compile error, an exception, a hang, a malformed file and an unknown kernel.</summary>
[Collection(NotebookCollection.Name)]
public sealed class SampleNotebookTests(SampleRun run) : IClassFixture<SampleRun>
{
    [Fact]
    public void The_run_exits_non_zero_when_any_notebook_fails()
    {
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(1, run.HangExitCode);
    }

    [Fact]
    public void A_compile_error_fails_its_cell_and_the_cells_after_it_do_not_run()
    {
        var failures = run.Report.Cases("compile-error", "failure");
        var failure = Assert.Single(failures);
        Assert.StartsWith("cell 03:", (string)failure.Attribute("name")!);
        Assert.Contains("CS0029", (string)failure.Element("failure")!.Attribute("message")!);
        Assert.StartsWith("cell 04:", (string)Assert.Single(run.Report.Cases("compile-error", "skipped")).Attribute("name")!);
        Assert.Single(run.Report.Cases("compile-error", null));
    }

    [Fact]
    public void A_failed_notebook_is_still_written_with_the_outputs_of_the_cells_that_ran()
    {
        var cells = run.Cells("compile-error");
        Assert.Equal(4, cells.Length);
        Assert.Contains("before = 2", SampleRun.OutputText(cells[1]));
        Assert.Contains("CS0029", SampleRun.OutputText(cells[2]));
        Assert.Equal("", SampleRun.OutputText(cells[3]).Replace("\n", ""));
        string html = File.ReadAllText(Path.Combine(run.OutDir, "compile-error.html"));
        Assert.Contains("class=\"cell failed\" id=\"cell-3\"", html);
        Assert.Contains("class=\"cell notrun\" id=\"cell-4\"", html);
    }

    [Fact]
    public void An_exception_fails_its_cell_with_the_message_and_the_trace()
    {
        var failure = Assert.Single(run.Report.Cases("exception", "failure")).Element("failure")!;
        Assert.Contains("InvalidOperationException: deliberate failure in cell 2", (string)failure.Attribute("message")!);
        Assert.Contains("at Submission", failure.Value);
        Assert.Contains("exception.dib", run.Output);
        Assert.Contains("deliberate failure in cell 2", run.Output);
    }

    [Fact]
    public void A_hanging_cell_is_stopped_by_the_timeout_and_its_process_is_gone()
    {
        // What is checked is that the timeout fired (the cell's outcome and message), not how long anything took.
        var failureCase = Assert.Single(run.HangReport.Cases("hang", "failure"));
        Assert.StartsWith("cell 02:", (string)failureCase.Attribute("name")!);
        var failure = failureCase.Element("failure")!;
        Assert.Equal("timeout", (string)failure.Attribute("type")!);
        Assert.Contains($"longer than the {SampleRun.Timeout.TotalSeconds:0} s timeout", failure.Value);
        Assert.StartsWith("cell 03:", (string)Assert.Single(run.HangReport.Cases("hang", "skipped")).Attribute("name")!);
        Assert.Contains("before the hang", SampleRun.OutputText(run.Cells("hang")[0]));
        Assert.Empty(ProcessesRunning(Path.Combine(Course.Samples, "hang.dib")));
    }

    [Fact]
    public void A_kernel_process_that_exits_fails_the_cell_it_was_running()
    {
        var failure = Assert.Single(run.Report.Cases("crash", "failure"));
        Assert.StartsWith("cell 02:", (string)failure.Attribute("name")!);
        Assert.Contains("exited unexpectedly (exit code 7)", failure.Element("failure")!.Value);
        Assert.Single(run.Report.Cases("crash", "skipped"));
    }

    [Fact]
    public void A_malformed_dib_is_reported_with_its_file_and_line()
    {
        Assert.Contains("malformed-meta.dib: line 1: malformed .dib: the #!meta block is not valid JSON", Flatten(run.Output));
        Assert.Single(run.Report.Cases("malformed-meta", "error"));
    }

    [Fact]
    public void An_unknown_kernel_name_is_reported_before_anything_runs()
    {
        Assert.Contains("unknown-kernel.dib: line 9: unknown kernel name or magic command '#!python'", Flatten(run.Output));
        Assert.False(File.Exists(Path.Combine(run.OutDir, "unknown-kernel.ipynb")));
    }

    [Fact]
    public void A_passing_notebook_passes_next_to_broken_ones_with_its_outputs()
    {
        Assert.Equal(2, run.Report.Cases("passing", null).Count);
        var cells = run.Cells("passing");
        Assert.Contains("answer = 42", SampleRun.OutputText(cells[0]));
        Assert.Contains("84", SampleRun.OutputText(cells[2]));
    }

    [Fact]
    public void The_kernel_holds_fsharp_core_10_0_like_the_stock_kernel_and_starts_in_the_notebook_folder()
    {
        string output = SampleRun.OutputText(run.Cells("environment")[1]);
        Assert.Contains("FSharp.Core 10.0.", output);
        Assert.Contains("working directory " + Course.Samples, output);
    }

    [Fact]
    public void A_cell_that_reads_input_gets_end_of_file_instead_of_waiting()
    {
        Assert.Contains("standard input is closed", SampleRun.OutputText(run.Cells("environment")[2]));
        Assert.Equal(2, run.Report.Cases("environment", null).Count);
    }

    [Fact]
    public void Without_the_built_library_the_set_up_says_which_command_to_run()
    {
        // A copy of the course's notebooks folder with no lib/ beside it.
        string root = Course.TempFolder("unbuilt");
        string notebooks = Directory.CreateDirectory(Path.Combine(root, "notebooks")).FullName;
        File.Copy(Path.Combine(Course.Notebooks, "setup.dib"), Path.Combine(notebooks, "setup.dib"));
        File.WriteAllText(Path.Combine(notebooks, "00-first.dib"), "#!csharp\n\n#!import setup.dib\n\n#!csharp\n\nShape.Check(null!, 1, 1, \"x\");\n");
        var (exit, output) = Course.Run([Path.Combine(notebooks, "00-first.dib"), "--out", Path.Combine(root, "out")], TimeSpan.FromMinutes(2));
        Assert.Equal(1, exit);
        string flat = Flatten(output);
        Assert.Contains("setup.dib cell 1 failed", flat);
        Assert.Contains("The course library is not built", flat);
        Assert.Contains("./course.sh --build-only", flat);
    }

    [Fact]
    public void A_missing_file_exits_with_code_2_and_names_the_file()
    {
        var (exit, output) = Course.Run(["notebooks/99-no-such-chapter.dib", "--out", Course.TempFolder("missing")], TimeSpan.FromMinutes(1));
        Assert.Equal(2, exit);
        Assert.Contains("99-no-such-chapter.dib: no such notebook file", output);
    }

    private static string Flatten(string output) => string.Join(" ", output.Split('\n').Select(l => l.Trim(' ', '│', '\r'))).Replace("  ", " ");

    private static List<int> ProcessesRunning(string argument) =>
        Directory.GetDirectories("/proc")
            .Select(d => (Dir: d, Ok: int.TryParse(Path.GetFileName(d), out int pid), Pid: pid))
            .Where(p => p.Ok)
            .Where(p =>
            {
                try { return File.ReadAllText(Path.Combine(p.Dir, "cmdline")).Contains(argument, StringComparison.Ordinal); }
                catch (IOException) { return false; }
                catch (UnauthorizedAccessException) { return false; }
            })
            .Select(p => p.Pid)
            .ToList();
}
