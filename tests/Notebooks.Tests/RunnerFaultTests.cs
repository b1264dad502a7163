using System.Globalization;
using System.Xml.Linq;
using NotebookRunner.Documents;
using NotebookRunner.Execution;
using NotebookRunner.Output;

namespace Notebooks.Tests;

/// <summary>
/// Runs the runner once over a folder that holds good chapters and every faulty notebook of
/// <c>Samples/faults/</c> (copied, so that nothing else is in the folder), then reruns one good chapter into the
/// same output folder (a partial rerun).
/// </summary>
public sealed class FaultRun
{
    /// <summary>The good chapters among the copies.</summary>
    public static readonly string[] Good = ["passing", "café-ünïcode-名前"];

    /// <summary>Runs them.</summary>
    public FaultRun()
    {
        Folder = Course.TempFolder("fault-run");
        string faults = Path.Combine(Course.Samples, "faults");
        foreach (var file in Directory.GetFiles(faults, "*.dib", SearchOption.AllDirectories))
        {
            string target = Path.Combine(Folder, "chapters", Path.GetRelativePath(faults, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        File.Copy(Path.Combine(Course.Samples, "passing.dib"), Path.Combine(Folder, "chapters", "passing.dib"));
        OutDir = Path.Combine(Folder, "out");
        var chapters = Directory.GetFiles(Path.Combine(Folder, "chapters"), "*.dib", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
        // A generous timeout: no assertion here depends on how long anything took.
        (ExitCode, Output) = Course.Run([.. chapters, "--out", OutDir, "--timeout", "300", "--plain"], TimeSpan.FromMinutes(9));
        Index = File.ReadAllText(Path.Combine(OutDir, "index.html"));
        Xml = XDocument.Load(Path.Combine(OutDir, "junit.xml"));
        Report = new JUnit(Xml);
        // Its own report, so that the full run's stays as it was.
        Rerun = Course.Run([Path.Combine(Folder, "chapters", "passing.dib"), "--out", OutDir, "--junit", Path.Combine(Folder, "rerun.xml"), "--plain"], TimeSpan.FromMinutes(3));
        IndexAfterRerun = File.ReadAllText(Path.Combine(OutDir, "index.html"));
    }

    /// <summary>The temp folder (chapters/ and out/).</summary>
    public string Folder { get; }

    /// <summary>The output folder.</summary>
    public string OutDir { get; }

    /// <summary>Exit code of the full run.</summary>
    public int ExitCode { get; }

    /// <summary>Everything the full run printed.</summary>
    public string Output { get; }

    /// <summary>index.html after the full run.</summary>
    public string Index { get; }

    /// <summary>junit.xml of the full run.</summary>
    public JUnit Report { get; }

    /// <summary>junit.xml of the full run, as XML.</summary>
    public XDocument Xml { get; }

    /// <summary>The rerun of one chapter.</summary>
    public (int ExitCode, string Output) Rerun { get; }

    /// <summary>index.html after the rerun.</summary>
    public string IndexAfterRerun { get; }

    /// <summary>All the text of a chapter's failure or error elements in the report.</summary>
    /// <param name="chapter">Chapter name.</param>
    /// <returns>Messages and bodies.</returns>
    public string Failures(string chapter) =>
        string.Join("\n", Suites(chapter).SelectMany(s => s.Descendants()).Where(e => e.Name == "failure" || e.Name == "error")
            .Select(e => (string?)e.Attribute("message") + "\n" + e.Value));

    /// <summary>Every test suite of that name (refused twins have one each).</summary>
    /// <param name="chapter">Chapter name.</param>
    /// <returns>The suites.</returns>
    public IReadOnlyList<XElement> Suites(string chapter) =>
        Xml.Root!.Elements("testsuite").Where(s => (string?)s.Attribute("name") == chapter).ToList();

    /// <summary>The executed notebook's text outputs of a chapter, cell by cell (index 0 is cell 1).</summary>
    /// <param name="chapter">Chapter name.</param>
    /// <returns>One string per cell.</returns>
    public string[] Outputs(string chapter)
    {
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(OutDir, chapter + ".ipynb")));
        return json.RootElement.GetProperty("cells").EnumerateArray().Select(c =>
            c.TryGetProperty("outputs", out var outputs)
                ? string.Concat(outputs.EnumerateArray().Select(o => o.TryGetProperty("text", out var t) ? string.Concat(t.EnumerateArray().Select(x => x.GetString())) : o.GetRawText()))
                : "").ToArray();
    }
}

/// <summary>
/// The runner survives faulty notebooks, hostile text and bad options: each fault is a failed chapter with its
/// cause, every other chapter keeps its pages, the reports stay valid, and no process outlives its chapter.
/// </summary>
[Collection(NotebookCollection.Name)]
public sealed class RunnerFaultTests(FaultRun run) : IClassFixture<FaultRun>
{
    // ---- the whole run over good chapters and every fault ----

    [Fact]
    public void A_run_over_good_and_faulty_notebooks_completes_exits_non_zero_and_writes_every_good_page()
    {
        Assert.True(run.ExitCode == 1, run.Output);
        foreach (var good in FaultRun.Good)
        {
            Assert.DoesNotContain(run.Report.Suite(good).Descendants(), e => e.Name == "failure" || e.Name == "error" || e.Name == "skipped");
            Assert.True(File.Exists(Path.Combine(run.OutDir, good + ".html")), good);
            Assert.True(File.Exists(Path.Combine(run.OutDir, good + ".ipynb")), good);
        }
        Assert.Contains("data-chapter=\"passing\"", run.Index);
    }

    [Theory]
    [InlineData("meta-wrong-shape", "kernelInfo.items = an object; it must be an array")]
    [InlineData("empty", "no code to run")]
    [InlineData("ansi-error", "red failure")]
    [InlineData("stack-overflow", "stack overflow")]
    [InlineData("fail-fast", "Environment.FailFast: deliberate fail-fast in a cell")]
    [InlineData("imports-itself", "import cycle: imports-itself.dib → imports-itself.dib")]
    [InlineData("index", "would overwrite the run's index.html")]
    [InlineData("twin", "2 chapters are named 'twin'")]
    public void Each_faulty_notebook_is_reported_with_its_cause(string chapter, string cause)
    {
        Assert.Contains(cause, run.Failures(chapter));
        Assert.Contains(cause, Flatten(run.Output));
    }

    [Fact]
    public void A_stack_overflow_report_quotes_the_repeated_frame()
    {
        Assert.Contains("Deeper", run.Failures("stack-overflow"));
        Assert.Contains("before the overflow", run.Outputs("stack-overflow")[0]);
    }

    [Fact]
    public void The_junit_report_is_valid_xml_and_keeps_the_error_text_without_control_characters()
    {
        string text = XDocument.Load(Path.Combine(run.OutDir, "junit.xml")).ToString();
        Assert.DoesNotContain('\u001b', text);
        Assert.Contains("red failure with a bell", run.Failures("ansi-error"));
    }

    [Fact]
    public void Every_page_holds_only_characters_html_allows()
    {
        foreach (var page in Directory.GetFiles(run.OutDir, "*.html"))
        {
            string html = File.ReadAllText(page);
            Assert.DoesNotContain(html, c => (c < 0x20 && c is not ('\t' or '\n' or '\r')) || c is >= '\u007F' and <= '\u009F');
            Assert.EndsWith("</html>\n", html);
        }
    }

    [Fact]
    public void A_forged_protocol_line_and_a_partial_line_on_stdout_are_output_and_the_chapter_passes()
    {
        Assert.Equal(3, run.Report.Cases("forged-protocol", null).Count);
        var outputs = run.Outputs("forged-protocol");
        Assert.Contains("{\"type\":\"done\"}", outputs[0]);
        Assert.Contains("forged partial line without newline", outputs[0]);
        Assert.Contains("after the forgery", outputs[1]);
        Assert.Contains("42", outputs[2]);
    }

    [Fact]
    public void Output_past_the_limit_is_truncated_with_a_note_and_the_next_cell_still_runs()
    {
        Assert.Equal(2, run.Report.Cases("big-output", null).Count);
        var outputs = run.Outputs("big-output");
        Assert.StartsWith("line 000000 of a long output\n", outputs[0]);
        Assert.Contains("[output truncated: the runner keeps the first 1,000,000 characters", outputs[0]);
        Assert.DoesNotContain("line 099999", outputs[0]);
        Assert.Contains("the next cell still runs", outputs[1]);
    }

    [Fact]
    public void No_process_outlives_the_run_not_even_one_a_cell_started()
    {
        Assert.Equal(2, run.Report.Cases("child-process", null).Count);
        Assert.Contains("started a process that sleeps: True, and an orphan: True", run.Outputs("child-process")[0]);
        Assert.Empty(ProcessesWith("613.579"));
        Assert.Empty(ProcessesWith(run.Folder));
    }

    [Fact]
    public void A_chapter_with_a_non_ascii_name_keeps_its_row_in_the_index_after_a_partial_rerun()
    {
        Assert.True(run.Rerun.ExitCode == 0, run.Rerun.Output);
        Assert.Contains("href=\"caf%C3%A9-%C3%BCn%C3%AFcode-%E5%90%8D%E5%89%8D.html\"", run.Index);
        Assert.Contains("href=\"caf%C3%A9-%C3%BCn%C3%AFcode-%E5%90%8D%E5%89%8D.html\"", run.IndexAfterRerun);
        Assert.Contains("href=\"passing.html\"", run.IndexAfterRerun);
    }

    [Fact]
    public void Colliding_chapters_write_no_pages()
    {
        Assert.False(File.Exists(Path.Combine(run.OutDir, "twin.html")));
        Assert.False(File.Exists(Path.Combine(run.OutDir, "index.ipynb")));
        Assert.Equal(2, run.Suites("twin").Count(s => s.Elements("testcase").Single().Element("error") is not null));
    }

    internal static string Flatten(string output) => string.Join(" ", output.Split('\n').Select(l => l.Trim(' ', '│', '\r'))).Replace("  ", " ");

    internal static List<int> ProcessesWith(string argument) =>
        Directory.GetDirectories("/proc")
            .Select(d => (Dir: d, Ok: int.TryParse(Path.GetFileName(d), out int pid), Pid: pid))
            .Where(p => p.Ok && p.Pid != Environment.ProcessId)
            .Where(p =>
            {
                try { return File.ReadAllText(Path.Combine(p.Dir, "cmdline")).Replace('\0', ' ').Contains(argument, StringComparison.Ordinal); }
                catch (IOException) { return false; }
                catch (UnauthorizedAccessException) { return false; }
            })
            .Select(p => p.Pid)
            .ToList();
}

/// <summary>
/// The fault classes of <see cref="RunnerFaultTests"/>, case by case: the checks the runner applies, each on
/// its own, in-process where possible (options go through the program, as a user types them).
/// </summary>
[Collection(NotebookCollection.Name)]
public sealed class RunnerFaultCaseTests
{
    private const string Meta = "#!meta\n\n{\"kernelInfo\":{\"defaultKernelName\":\"csharp\",\"items\":[{\"aliases\":[],\"name\":\"csharp\"}]}}\n\n";

    [Fact]
    public void Without_chapter_names_the_runner_takes_the_notebooks_of_the_course_above_the_working_directory()
    {
        string course = Course.TempFolder("fake-course");
        try
        {
            File.WriteAllText(Path.Combine(course, "Course.sln"), "");
            Directory.CreateDirectory(Path.Combine(course, "notebooks"));
            string deeper = Directory.CreateDirectory(Path.Combine(course, "tools", "deeper")).FullName;
            var (exitCode, output) = Course.Run(["--plain"], TimeSpan.FromMinutes(1), deeper);
            output = string.Join(' ', output.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)); // the console wraps long lines
            Assert.Equal(2, exitCode);
            Assert.Contains($"{Path.Combine(course, "notebooks")}: no chapters", output);
        }
        finally
        {
            Directory.Delete(course, recursive: true);
        }
    }

    [Fact]
    public void Outside_any_course_and_without_chapter_names_the_runner_says_where_it_searched()
    {
        string outside = Course.TempFolder("no-course");
        try
        {
            var (exitCode, output) = Course.Run(["--plain"], TimeSpan.FromMinutes(1), outside);
            output = string.Join(' ', output.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)); // the console wraps long lines
            Assert.Equal(2, exitCode);
            Assert.Contains($"the one holding Course.sln) at or above {outside}", output);
            Assert.Contains("--notebooks", output);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }


    [Theory]
    [InlineData("[1, 2]", "must be a JSON object, not an array")]
    [InlineData("\"text\"", "must be a JSON object, not a string")]
    [InlineData("{\"kernelInfo\": 5}", "kernelInfo = a number; it must be an object")]
    [InlineData("{\"kernelInfo\": {\"items\": {}}}", "kernelInfo.items = an object; it must be an array")]
    [InlineData("{\"kernelInfo\": {\"items\": [5]}}", "kernelInfo.items[0] = a number; it must be an object")]
    [InlineData("{\"kernelInfo\": {\"items\": [{\"name\": 5}]}}", "kernelInfo.items[0] without a string \"name\"")]
    [InlineData("{\"kernelInfo\": {\"items\": [{\"name\": \"csharp\", \"aliases\": \"c#\"}]}}", "kernelInfo.items[0].aliases = a string")]
    [InlineData("{\"kernelInfo\": {\"defaultKernelName\": 7}}", "kernelInfo.defaultKernelName = a number; it must be a string")]
    public void A_meta_block_of_the_wrong_shape_is_a_format_error_that_names_the_field(string json, string expected)
    {
        var e = Assert.Throws<ChapterFormatException>(() => ChapterDocument.Parse("bad.dib", $"#!meta\n\n{json}\n\n#!csharp\n\n1\n"));
        Assert.Contains("bad.dib: line 1: malformed .dib: the #!meta block", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n")]
    [InlineData("#!markdown\n\nProse only.\n")]
    [InlineData(Meta + "#!csharp\n\n   \n\n#!markdown\n\nText.\n")]
    public void A_notebook_with_no_code_cannot_pass(string text)
    {
        var e = Assert.Throws<ChapterFormatException>(() => ChapterDocument.Parse("empty.dib", text));
        Assert.Contains("empty.dib", e.Message);
        Assert.Contains("no code to run", e.Message);
    }

    [Theory]
    [InlineData("\u001b[31mred\u001b[0m", "red")]
    [InlineData("bell \u0007 nul \0 end", "bell ␇ nul ␀ end")]
    [InlineData("osc \u001b]0;title\u0007 after", "osc  after")]
    [InlineData("non \ufffe char", "non \ufffd char")]
    [InlineData("c1 \u0085 next", "c1 \\u0085 next")]
    [InlineData("delete \u007f", "delete ␡")]
    [InlineData("kept: tab\t, newline\n, emoji 😀, accents é", "kept: tab\t, newline\n, emoji 😀, accents é")]
    public void Text_is_cleaned_for_xml_and_html_and_stays_readable(string text, string expected)
    {
        Assert.Equal(expected, SafeText.Clean(text));
    }

    [Fact]
    public void A_lone_surrogate_becomes_the_replacement_character_and_a_pair_stays()
    {
        // Built in code: a lone surrogate does not survive the test framework's serialization of attribute data.
        string text = "lone " + (char)0xD800 + " high, lone " + (char)0xDC00 + " low, pair 😀";
        Assert.Equal("lone \ufffd high, lone \ufffd low, pair 😀", SafeText.Clean(text));
    }

    [Theory]
    [InlineData("\u001b[31mcoloured\u001b[0m failure")]
    [InlineData("NUL \0, bell \u0007, vertical tab \u000b, form feed \u000c")]
    [InlineData("non-character \ufffe")]
    [InlineData("]]> <![CDATA[ & \" '")]
    public void The_junit_report_and_the_page_are_valid_whatever_the_error_text(string error)
    {
        var chapter = new ChapterResult(ChapterDocument.Parse("/tmp/text.dib", Meta + "#!csharp\n\nthrow new Exception();\n"));
        var cell = chapter.CodeCells.Single();
        cell.Status = CellStatus.Failed;
        cell.Error = error;
        cell.Trace = error + "\n" + error;
        cell.AddOutput(new CellOutput { Kind = "error", Text = error }, false);
        string folder = Course.TempFolder("text");
        JUnitReport.Write([chapter], Path.Combine(folder, "junit.xml"));
        var xml = XDocument.Load(Path.Combine(folder, "junit.xml"));
        Assert.Equal(SafeText.Clean(error), (string)xml.Descendants("failure").Single().Attribute("message")!);
        HtmlHandout.Write(chapter, Path.Combine(folder, "text.html"));
        string html = File.ReadAllText(Path.Combine(folder, "text.html"));
        Assert.DoesNotContain(html, c => (c < 0x20 && c is not ('\t' or '\n' or '\r')) || char.IsSurrogate(c) || c is '\ufffe');
    }

    [Fact]
    public void Pages_written_at_the_same_time_from_two_threads_are_all_written_whole()
    {
        // Chapters are written two at a time (--jobs 2); the code highlighter must not be shared between them.
        string folder = Course.TempFolder("parallel-pages");
        string code = string.Join("\n", Enumerable.Range(0, 200).Select(i => $"var x{i} = Math.Sqrt({i}); // line {i}"));
        string cells = string.Concat(Enumerable.Repeat("#!csharp\n\n" + code + "\n\n", 40));
        var chapters = Enumerable.Range(0, 64)
            .Select(i => new ChapterResult(ChapterDocument.Parse($"/tmp/page{i}.dib", Meta + cells)))
            .ToArray();
        Parallel.ForEach(chapters, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            (chapter, _, i) => HtmlHandout.Write(chapter, Path.Combine(folder, $"page{i}.html")));
        for (int i = 0; i < chapters.Length; i++)
        {
            string html = File.ReadAllText(Path.Combine(folder, $"page{i}.html"));
            Assert.Contains("line 199", html);
            Assert.EndsWith("</html>", html.TrimEnd());
        }
    }

    [Fact]
    public void Many_short_outputs_merge_into_one_text_that_stops_at_the_limit_with_a_note()
    {
        var cell = new CellResult(new Cell(1, "csharp", "print"));
        const int lines = 200_000;
        for (int i = 0; i < lines; i++) cell.AddOutput(new CellOutput { Kind = "stdout", Text = string.Create(CultureInfo.InvariantCulture, $"line {i:000000}\n") }, false);
        Assert.Equal(2, cell.Outputs.Count);
        Assert.Equal(CellResult.OutputLimit, cell.Outputs[0].Text!.Length);
        Assert.True(cell.Truncated);
        long dropped = lines * 12L - CellResult.OutputLimit;
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{dropped:N0} more were dropped"), cell.Outputs[1].Text);
    }

    [Fact]
    public void A_display_updated_many_times_counts_once_against_the_limit()
    {
        var cell = new CellResult(new Cell(1, "csharp", "progress"));
        var big = new string('x', 10_000);
        for (int i = 0; i < 1_000; i++)
            cell.AddOutput(new CellOutput { Kind = "display", ValueId = "bar", Data = new() { ["text/plain"] = big } }, replace: i > 0);
        Assert.Single(cell.Outputs);
        Assert.False(cell.Truncated);
    }

    [Theory]
    [InlineData(134, "Stack overflow.\nRepeated 1000 times:\n---\n   at Submission#2.Deeper(Int32)\n", "stack overflow", "Deeper")]
    [InlineData(134, "Process terminated. deliberate stop\n   at System.Environment.FailFast(System.String)\n", "Environment.FailFast: deliberate stop", "FailFast(System.String)")]
    [InlineData(134, "Unhandled exception. System.InvalidOperationException: boom\n   at Program.Main()\n", "unhandled exception: System.InvalidOperationException: boom", "Program.Main")]
    [InlineData(139, "", "ended by signal SIGSEGV", "exit code 139")]
    [InlineData(7, "", "exited unexpectedly (exit code 7)", "exit code 7")]
    public void A_dead_kernel_process_is_described_by_its_cause(int exitCode, string stderr, string cause, string detail)
    {
        string text = CrashCause.Describe(exitCode, stderr);
        Assert.Contains(cause, text.Split('\n')[0]);
        Assert.Contains(detail, text);
    }

    [Theory]
    [InlineData(new[] { "/a/index.dib", "/a/01-x.dib" }, "/a/index.dib", "would overwrite the run's index.html")]
    [InlineData(new[] { "/a/INDEX.dib" }, "/a/INDEX.dib", "would overwrite the run's index.html")]
    [InlineData(new[] { "/a/02-y.dib", "/b/02-y.dib" }, "/b/02-y.dib", "2 chapters are named '02-y'")]
    [InlineData(new[] { "/a/Twin.dib", "/b/twin.dib" }, "/a/Twin.dib", "2 chapters are named")]
    [InlineData(new[] { "/a/report.dib" }, "/a/report.dib", "would overwrite the JUnit report")]
    public void Chapters_whose_pages_would_collide_are_refused(string[] paths, string refusedPath, string reason)
    {
        var refused = NotebookRunner.CourseRun.Collisions(paths, "/out", "/out/report.html");
        Assert.Contains(reason, refused[refusedPath]);
        Assert.DoesNotContain("/a/01-x.dib", refused.Keys);
    }

    [Theory]
    [InlineData("--timeout", "1e300", "--timeout expects a number of seconds greater than 0 and at most 86400")]
    [InlineData("--timeout", "Infinity", "--timeout expects a number of seconds greater than 0")]
    [InlineData("--timeout", "5000000", "--timeout expects a number of seconds greater than 0")]
    [InlineData("--timeout", "NaN", "--timeout expects a number of seconds greater than 0")]
    [InlineData("--timeout", "0", "--timeout expects a number of seconds greater than 0")]
    [InlineData("--timeout", "-5", "--timeout expects")]
    [InlineData("--jobs", "0", "--jobs expects 1 to 16")]
    [InlineData("--out", "FILE", "is a file, not a folder")]
    [InlineData("--out", "FILE/sub", "cannot be created")]
    [InlineData("--junit", "FILE/junit.xml", "is a file, not a folder")]
    [InlineData("--junit", "FOLDER", "that is a folder; name the report file")]
    [InlineData("--no-such-option", null, "Unknown option")]
    public void A_bad_option_is_a_usage_error_before_any_work(string option, string? value, string expected)
    {
        string folder = Course.TempFolder("options");
        string file = Path.Combine(folder, "a-file.txt");
        File.WriteAllText(file, "not a folder");
        string outDir = Path.Combine(folder, "never-created");
        var args = new List<string> { Path.Combine(Course.Samples, "passing.dib") };
        if (option != "--out") args.AddRange(["--out", outDir]);
        args.Add(option);
        if (value is not null) args.Add(value.Replace("FILE", file).Replace("FOLDER", folder));
        var (exit, output) = Course.Run(args, TimeSpan.FromMinutes(1));
        Assert.Equal(2, exit);
        Assert.Contains(expected, Flatten(output));
        Assert.False(Directory.Exists(outDir), "the output folder was created before the options were checked");
        Assert.DoesNotContain("kernel ready", output);
    }

    [Fact]
    public void The_help_is_generated_from_the_options_and_lists_every_one()
    {
        var (exit, output) = Course.Run(["--help"], TimeSpan.FromMinutes(1));
        Assert.Equal(0, exit);
        foreach (var option in new[] { "--notebooks", "--out", "--timeout", "--junit", "--no-html", "--solutions", "--plain", "--jobs", "--help" })
            Assert.Contains(option, output);
    }

    [Fact]
    public void An_index_row_keeps_a_non_ascii_name_across_reruns()
    {
        string folder = Course.TempFolder("index-names");
        string index = Path.Combine(folder, "index.html");
        const string name = "07-naïve-ümlaut-名前 \"quoted\" & more";
        var first = new ChapterResult(ChapterDocument.Parse(Path.Combine(folder, name + ".dib"), Meta + "#!csharp\n\n1\n"));
        IndexPage.Write([first], index);
        File.WriteAllText(Path.Combine(folder, name + ".html"), "page");
        var second = new ChapterResult(ChapterDocument.Parse(Path.Combine(folder, "08-other.dib"), Meta + "#!csharp\n\n1\n"));
        IndexPage.Write([second], index);
        string html = File.ReadAllText(index);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(name), html);
        Assert.Contains("08-other", html);
        Assert.Contains("href=\"" + System.Net.WebUtility.HtmlEncode(Uri.EscapeDataString(name)) + ".html\"", html);
    }

    private static string Flatten(string output) => RunnerFaultTests.Flatten(output);
}
