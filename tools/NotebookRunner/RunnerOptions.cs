using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NotebookRunner;

/// <summary>A command line the runner cannot use; the message says why.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The runner's command line: one settings type, parsed and documented by Spectre.Console.Cli (which generates
/// <c>--help</c> from the attributes below) and validated by <see cref="Validate"/> before any work starts. A new
/// option is one property here with its attributes, plus a check in <see cref="Validate"/> if it needs one.
/// </summary>
internal sealed class RunnerOptions : CommandSettings
{
    /// <summary>The longest per-cell timeout accepted: one day (longer would overflow the runner's timers).</summary>
    public const double MaxTimeoutSeconds = 86_400;

    /// <summary>The most chapters run at the same time.</summary>
    public const int MaxJobs = 16;

    /// <summary>Chapters named on the command line (empty: discover).</summary>
    [CommandArgument(0, "[CHAPTER.dib]")]
    [Description("Chapter files to run; without any, every NN-*.dib of the notebooks folder in file-name order (NN = two digits).")]
    public string[] Chapters { get; init; } = [];

    /// <summary>Folder searched when no chapter is named.</summary>
    [CommandOption("--notebooks <DIR>")]
    [Description("Folder searched for chapters (default: notebooks/ of the repository).")]
    public string? NotebooksDir { get; init; }

    /// <summary>Output folder.</summary>
    [CommandOption("--out <DIR>")]
    [Description("Output folder for the executed notebooks, HTML pages and index.html.")]
    [DefaultValue("out")]
    public string OutDir { get; init; } = "out";

    /// <summary>Per-cell timeout in seconds, as given.</summary>
    [CommandOption("--timeout <SECONDS>")]
    [Description("Per-cell timeout in seconds (more than 0, at most 86400); a cell past it is stopped with its kernel process.")]
    [DefaultValue(300.0)]
    public double TimeoutSeconds { get; init; } = 300;

    /// <summary>JUnit report path; null means OUT/junit.xml.</summary>
    [CommandOption("--junit <FILE>")]
    [Description("JUnit XML report (default: OUT/junit.xml).")]
    public string? JUnitPath { get; init; }

    /// <summary>Skip the HTML pages.</summary>
    [CommandOption("--no-html")]
    [Description("Skip the HTML pages and index.html.")]
    public bool NoHtml { get; init; }

    /// <summary>Folder of reference solutions (see ExerciseSolutions); null: run the exercise stubs as they are.</summary>
    [CommandOption("--solutions <DIR>")]
    [Description("Run each exercise cell (first line \"// exercise: NN.name\") with its reference solution from DIR/NN-*.cs; writes the learner's edition to OUT (no solutions) and the instructor's to OUT/instructor (solutions folded).")]
    public string? SolutionsDir { get; init; }

    /// <summary>Plain progress lines even on a terminal.</summary>
    [CommandOption("--plain")]
    [Description("Plain progress lines instead of the live display.")]
    public bool Plain { get; init; }

    /// <summary>Chapters run at the same time.</summary>
    [CommandOption("-j|--jobs <N>")]
    [Description("Chapters run at the same time, each in its own kernel process (1 to 16).")]
    [DefaultValue(2)]
    public int Jobs { get; init; } = 2;

    /// <summary>Per-cell timeout.</summary>
    public TimeSpan CellTimeout => TimeSpan.FromSeconds(TimeoutSeconds);

    /// <summary>Time allowed for the kernel process to start and build its kernel.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Write the HTML pages.</summary>
    public bool Html => !NoHtml;

    /// <summary>The output folder, full path.</summary>
    public string OutPath => Path.GetFullPath(OutDir);

    /// <summary>The JUnit report, full path.</summary>
    public string JUnitFullPath => Path.GetFullPath(JUnitPath ?? Path.Combine(OutDir, "junit.xml"));

    /// <summary>
    /// Checks every value before anything runs: a timeout that is a finite number in range, an output folder and
    /// a report path that can be created (no file where a folder must be, no folder where the report goes).
    /// </summary>
    /// <returns>Success, or the first problem.</returns>
    public override ValidationResult Validate()
    {
        try
        {
            Check();
            return ValidationResult.Success();
        }
        catch (UsageException e)
        {
            return ValidationResult.Error(e.Message);
        }
    }

    /// <summary>Same checks as <see cref="Validate"/>, throwing.</summary>
    /// <exception cref="UsageException">A value the runner cannot use.</exception>
    public void Check()
    {
        if (!double.IsFinite(TimeoutSeconds) || TimeoutSeconds <= 0 || TimeoutSeconds > MaxTimeoutSeconds)
            throw new UsageException($"--timeout expects a number of seconds greater than 0 and at most {MaxTimeoutSeconds:0}, not {TimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        if (Jobs < 1 || Jobs > MaxJobs) throw new UsageException($"--jobs expects 1 to {MaxJobs}, not {Jobs}.");
        if (string.IsNullOrWhiteSpace(OutDir)) throw new UsageException("--out expects a folder, not an empty name.");
        if (JUnitPath is not null && string.IsNullOrWhiteSpace(JUnitPath)) throw new UsageException("--junit expects a file, not an empty name.");
        CheckFolder("--out", OutPath);
        string junit = JUnitFullPath;
        if (Directory.Exists(junit)) throw new UsageException($"--junit {JUnitPath ?? junit}: that is a folder; name the report file.");
        CheckFolder("--junit", Path.GetDirectoryName(junit)!);
        if (NotebooksDir is not null && File.Exists(NotebooksDir)) throw new UsageException($"--notebooks {NotebooksDir}: that is a file, not a folder.");
        if (SolutionsDir is not null && !Directory.Exists(SolutionsDir)) throw new UsageException($"--solutions {SolutionsDir}: no such folder.");
    }

    /// <summary>A folder that exists or can be created: neither it nor any folder above it is a file.</summary>
    private static void CheckFolder(string option, string folder)
    {
        for (var d = new DirectoryInfo(folder); d is not null; d = d.Parent)
        {
            if (File.Exists(d.FullName))
                throw new UsageException(d.FullName == folder
                    ? $"{option}: {folder} is a file, not a folder."
                    : $"{option}: {folder} cannot be created: {d.FullName} is a file.");
            if (d.Exists) return;
        }
    }
}
