using System.Diagnostics;
using System.Text.RegularExpressions;
using NotebookRunner.Documents;
using NotebookRunner.Execution;
using NotebookRunner.Output;
using Spectre.Console;

namespace NotebookRunner;

/// <summary>
/// The main job: finds the chapters, runs each in its own kernel process, writes every chapter's executed
/// notebook and HTML page as soon as it ends (partial when it failed), then the index, the JUnit report and
/// the summary.
/// </summary>
internal static partial class CourseRun
{
    /// <summary>Runs the course.</summary>
    /// <param name="options">The command line.</param>
    /// <returns>0 when everything passed, 1 when something failed, 2 for input errors.</returns>
    public static async Task<int> RunAsync(RunnerOptions options)
    {
        var console = AnsiConsole.Console;
        // Logs (CI, dotnet test) are not 80 columns wide; keep table rows and failure lines whole there.
        if (!console.Profile.Capabilities.Interactive && console.Profile.Width < 140) console.Profile.Width = 140;
        IReadOnlyList<string> paths;
        try
        {
            paths = ResolveChapters(options);
        }
        catch (UsageException e)
        {
            console.MarkupLine("[red]error:[/] " + Markup.Escape(e.Message));
            return 2;
        }

        var report = new ConsoleReport(console, live: !options.Plain && console.Profile.Capabilities.Interactive);
        var process = new ChapterProcess(options.CellTimeout, options.StartTimeout) { SolutionsDir = options.SolutionsDir };
        string outDir = Path.GetFullPath(options.OutDir);
        Directory.CreateDirectory(outDir);
        var results = new List<ChapterResult>();
        var clock = Stopwatch.StartNew();

        foreach (var path in paths)
        {
            ChapterResult result;
            ChapterDocument? learner = null;
            try
            {
                learner = ChapterDocument.Load(path);
                var document = options.SolutionsDir is null ? learner : ExerciseSolutions.Apply(learner, ExerciseSolutions.FileFor(options.SolutionsDir, path));
                result = await report.RunChapterAsync(document.Name, document.CodeCells.Count(), observer => process.RunAsync(document, observer));
            }
            catch (ChapterFormatException e)
            {
                result = new ChapterResult(Path.GetFullPath(path), e.Message);
                report.Failure(result);
            }
            results.Add(result);
            if (result.Document is not null && learner is not null) WriteEditions(options, result, learner, outDir);
        }

        if (options.Html) IndexPage.Write(results, Path.Combine(outDir, "index.html"));
        if (options.Html && options.SolutionsDir is not null) IndexPage.Write(results, Path.Combine(outDir, Editions.InstructorFolder, "index.html"));
        string junit = options.JUnitPath ?? Path.Combine(outDir, "junit.xml");
        JUnitReport.Write(results, junit);
        report.Summary(results, clock.Elapsed);
        console.MarkupLine(Markup.Escape($"Wrote {outDir}{Path.DirectorySeparatorChar} (executed notebooks, HTML pages, index.html) and {Path.GetFullPath(junit)}."));
        return results.All(r => r.Passed) ? 0 : 1;
    }

    // Without solutions the run is the learner's chapter as it is; with them, the learner's edition hides every
    // solution and the instructor's edition (instructor/) shows them folded.
    private static void WriteEditions(RunnerOptions options, ChapterResult result, ChapterDocument learner, string outDir)
    {
        var learnerView = options.SolutionsDir is null ? result : Editions.Learner(result, learner);
        NotebookWriter.Write(learnerView, Path.Combine(outDir, result.Name + ".ipynb"));
        if (options.Html) HtmlHandout.Write(learnerView, Path.Combine(outDir, result.Name + ".html"));
        if (options.SolutionsDir is null) return;
        string instructor = Path.Combine(outDir, Editions.InstructorFolder);
        Directory.CreateDirectory(instructor);
        NotebookWriter.Write(result, Path.Combine(instructor, result.Name + ".ipynb"));
        if (options.Html) HtmlHandout.Write(result, Path.Combine(instructor, result.Name + ".html"), Editions.SolutionCells(result));
    }

    /// <summary>The chapters to run: those named, or every NN-*.dib of the notebooks folder.</summary>
    /// <param name="options">The command line.</param>
    /// <returns>Full paths, in run order.</returns>
    /// <exception cref="UsageException">A named file does not exist, or no chapter was found.</exception>
    public static IReadOnlyList<string> ResolveChapters(RunnerOptions options)
    {
        if (options.Chapters.Count > 0)
        {
            foreach (var c in options.Chapters)
            {
                if (!File.Exists(c)) throw new UsageException($"{c}: no such notebook file.");
            }
            return options.Chapters.Select(Path.GetFullPath).ToList();
        }
        string dir = options.NotebooksDir ?? FindNotebooksFolder();
        if (!Directory.Exists(dir)) throw new UsageException($"{dir}: no such folder (use --notebooks DIR or name chapter files).");
        var chapters = Directory.GetFiles(dir, "*.dib")
            .Where(f => ChapterName().IsMatch(Path.GetFileName(f)))
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToList();
        if (chapters.Count == 0) throw new UsageException($"{dir}: no chapters (files named NN-*.dib).");
        return chapters;
    }

    private static string FindNotebooksFolder()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Course.sln")) && Directory.Exists(Path.Combine(dir.FullName, "notebooks")))
                return Path.Combine(dir.FullName, "notebooks");
        }
        return Path.GetFullPath("notebooks");
    }

    [GeneratedRegex(@"^[0-9][0-9]-.*\.dib$")]
    private static partial Regex ChapterName();
}
