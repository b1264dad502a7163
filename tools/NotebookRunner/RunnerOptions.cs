using System.Globalization;

namespace NotebookRunner;

/// <summary>A command line the runner cannot use; the message says why.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>The runner's command line, validated.</summary>
internal sealed record RunnerOptions
{
    /// <summary>Text printed by <c>--help</c> and after a usage error.</summary>
    public const string Usage = """
        Usage: NotebookRunner [CHAPTER.dib ...] [options]

        Runs the course's chapters headless, one kernel process per chapter, and writes for each chapter an
        executed notebook (.ipynb) and a standalone HTML page, plus index.html and a JUnit report.
        Without chapter arguments, runs every notebooks/NN-*.dib (NN = two digits) in file-name order.

        Options:
          --notebooks DIR   folder searched for chapters (default: notebooks/ of the repository)
          --out DIR         output folder (default: out)
          --timeout SEC     per-cell timeout in seconds; the cell's kernel process is stopped (default: 300)
          --junit FILE      JUnit XML report (default: OUT/junit.xml)
          --no-html         skip the HTML pages
          --solutions DIR   run each exercise cell (first line "// exercise: NN.name") with its reference solution
                            from DIR/NN-*.cs; writes the learner's edition to OUT (no solutions) and the
                            instructor's to OUT/instructor (solutions folded)
          --plain           plain progress lines instead of the live display
          -h, --help        this text

        Exit code: 0 when every cell of every chapter passed, 1 when something failed, 2 for a usage error
        or a chapter file that does not exist.
        """;

    /// <summary>Chapters named on the command line (empty: discover).</summary>
    public IReadOnlyList<string> Chapters { get; init; } = [];

    /// <summary>Folder searched when no chapter is named.</summary>
    public string? NotebooksDir { get; init; }

    /// <summary>Output folder.</summary>
    public string OutDir { get; init; } = "out";

    /// <summary>Per-cell timeout.</summary>
    public TimeSpan CellTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>Time allowed for the kernel process to start and build its kernel.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>JUnit report path; null means OUT/junit.xml.</summary>
    public string? JUnitPath { get; init; }

    /// <summary>Write the HTML pages.</summary>
    public bool Html { get; init; } = true;

    /// <summary>Folder of reference solutions (see ExerciseSolutions); null: run the exercise stubs as they are.</summary>
    public string? SolutionsDir { get; init; }

    /// <summary>Plain progress lines even on a terminal.</summary>
    public bool Plain { get; init; }

    /// <summary>Print usage and exit.</summary>
    public bool ShowHelp { get; init; }

    /// <summary>Parses the command line.</summary>
    /// <param name="args">Arguments.</param>
    /// <returns>The options.</returns>
    /// <exception cref="UsageException">An unknown option or a bad value.</exception>
    public static RunnerOptions Parse(IReadOnlyList<string> args)
    {
        var options = new RunnerOptions();
        var chapters = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{a} needs a value.");
            options = a switch
            {
                "-h" or "--help" => options with { ShowHelp = true },
                "--notebooks" => options with { NotebooksDir = Value() },
                "--out" => options with { OutDir = Value() },
                "--junit" => options with { JUnitPath = Value() },
                "--no-html" => options with { Html = false },
                "--solutions" => options with { SolutionsDir = Value() },
                "--plain" => options with { Plain = true },
                "--timeout" => options with { CellTimeout = Seconds(a, Value()) },
                _ when a.StartsWith('-') => throw new UsageException($"unknown option {a}."),
                _ => options,
            };
            if (!a.StartsWith('-')) chapters.Add(a);
        }
        return options with { Chapters = chapters };
    }

    private static TimeSpan Seconds(string option, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : throw new UsageException($"{option} expects a positive number of seconds, not '{value}'.");
}
