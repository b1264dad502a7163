using System.Diagnostics;
using System.Text.RegularExpressions;
using AttentionVisually;
using NotebookRunner.Documents;
using NotebookRunner.Execution;
using NotebookRunner.Output;
using Spectre.Console;

namespace NotebookRunner;

/// <summary>
/// The main job: finds the chapters, refuses names whose pages would collide, runs each chapter in its own
/// kernel process (up to <see cref="RunnerOptions.Jobs"/> at a time), writes every chapter's executed notebook
/// and HTML page as soon as it ends (partial when it failed), then the index, the JUnit report and the summary.
/// A chapter that cannot be read, crashes its kernel or breaks a writer is a failed chapter; the run goes on.
/// </summary>
internal static partial class CourseRun
{
    /// <summary>Runs the course.</summary>
    /// <param name="options">The command line, already validated.</param>
    /// <returns>0 when everything passed, 1 when something failed, 2 for input errors.</returns>
    public static async Task<int> RunAsync(RunnerOptions options)
    {
        var console = AnsiConsole.Console;
        // Logs (CI, dotnet test) are not 80 columns wide; keep table rows and failure lines whole there.
        if (!console.Profile.Capabilities.Interactive && console.Profile.Width < 180) console.Profile.Width = 180;
        IReadOnlyList<string> paths;
        try
        {
            options.Check();
            paths = ResolveChapters(options);
        }
        catch (UsageException e)
        {
            console.MarkupLine("[red]error:[/] " + Markup.Escape(e.Message));
            return 2;
        }

        string outDir = options.OutPath;
        Directory.CreateDirectory(outDir);
        var refused = Collisions(paths, outDir, options.JUnitFullPath);
        var report = new ConsoleReport(console, live: !options.Plain && console.Profile.Capabilities.Interactive);
        var process = new ChapterProcess(options.CellTimeout, options.StartTimeout) { SolutionsDir = options.SolutionsDir };
        var clock = Stopwatch.StartNew();

        var results = new ChapterResult[paths.Count];
        try
        {
            await report.RunAllAsync(paths.Select(Path.GetFileNameWithoutExtension).ToList()!, options.Jobs, async (i, observe) =>
            {
                var (result, learner) = await RunOneAsync(paths[i], refused.GetValueOrDefault(paths[i]), options.SolutionsDir, process, observe);
                WritePages(options, result, learner, outDir);
                results[i] = result;
                return result;
            });
        }
        finally
        {
            ProtocolListener.RemoveFolder();
        }

        var all = results.ToList();
        string junit = options.JUnitFullPath;
        bool written = (!options.Html || Write("index.html", () => IndexPage.Write(all, Path.Combine(outDir, "index.html"))))
            & (!options.Html || options.SolutionsDir is null || Write("instructor index.html", () => IndexPage.Write(all, Path.Combine(outDir, Editions.InstructorFolder, "index.html"))))
            & Write(junit, () => JUnitReport.Write(all, junit));
        report.Summary(all, clock.Elapsed, options.Jobs);
        console.MarkupLine(Markup.Escape($"Wrote {outDir}{Path.DirectorySeparatorChar} (executed notebooks, HTML pages, index.html) and {junit}."));
        return written && all.All(r => r.Passed) ? 0 : 1;
    }

    /// <summary>Reads and runs one chapter (with its solutions when given); every failure becomes the chapter's result.</summary>
    private static async Task<(ChapterResult Result, ChapterDocument? Learner)> RunOneAsync(string path, string? refusal, string? solutionsDir, ChapterProcess process, Func<ChapterDocument?, IChapterObserver> observe)
    {
        if (refusal is not null)
        {
            observe(null);
            return (new ChapterResult(path, refusal), null);
        }
        ChapterDocument learner, document;
        try
        {
            learner = ChapterDocument.Load(path);
            document = solutionsDir is null ? learner : ExerciseSolutions.Apply(learner, ExerciseSolutions.FileFor(solutionsDir, path));
        }
        catch (Exception e) when (e is ChapterFormatException or IOException or UnauthorizedAccessException)
        {
            observe(null);
            return (new ChapterResult(path, e is ChapterFormatException ? e.Message : $"{path}: cannot be read: {e.Message}"), null);
        }
        try
        {
            return (await process.RunAsync(document, observe(document)), learner);
        }
        catch (Exception e)
        {
            // A fault of the runner itself while running this chapter: report it with the chapter, run the others.
            return (new ChapterResult(document) { ChapterError = $"the runner failed while running this chapter: {e.GetType().Name}: {e.Message}\n{e.StackTrace}" }, learner);
        }
    }

    // Without solutions the run is the learner's chapter as it is; with them, the learner's edition hides every
    // solution and the instructor's edition (instructor/) shows them folded. A writer's fault fails the chapter only.
    private static void WritePages(RunnerOptions options, ChapterResult result, ChapterDocument? learner, string outDir)
    {
        if (result.Document is null || learner is null) return;
        try
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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            result.ChapterError ??= $"its pages could not be written: {e.Message}";
        }
    }

    private static bool Write(string what, Action write)
    {
        try
        {
            write();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(what)} could not be written: {Markup.Escape(e.Message)}");
            return false;
        }
    }

    /// <summary>
    /// Chapters that must not run because their pages would overwrite another file of the run: a chapter named
    /// <c>index</c> (index.html), two chapters with the same name from different folders (names compared without
    /// case, as on a case-insensitive disk), or a page that is the JUnit report.
    /// </summary>
    /// <param name="paths">Full paths of the chapters.</param>
    /// <param name="outDir">The output folder.</param>
    /// <param name="junit">The JUnit report's full path.</param>
    /// <returns>Why each refused chapter is refused, by path.</returns>
    public static Dictionary<string, string> Collisions(IReadOnlyList<string> paths, string outDir, string junit)
    {
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in paths.GroupBy(p => Path.GetFileNameWithoutExtension(p), StringComparer.OrdinalIgnoreCase))
        {
            var files = group.ToList();
            string name = group.Key;
            if (files.Count > 1)
            {
                foreach (var f in files)
                    refused[f] = $"{f}: not run: {files.Count} chapters are named '{name}' ({string.Join(", ", files)}); their pages would overwrite each other in {outDir}. Rename one.";
            }
            else if (name.Equals("index", StringComparison.OrdinalIgnoreCase))
            {
                refused[files[0]] = $"{files[0]}: not run: a chapter named '{name}' would overwrite the run's index.html. Rename it.";
            }
            else if (new[] { ".html", ".ipynb" }.Any(x => string.Equals(Path.Combine(outDir, name + x), junit, StringComparison.OrdinalIgnoreCase)))
            {
                refused[files[0]] = $"{files[0]}: not run: its page would overwrite the JUnit report {junit}.";
            }
        }
        return refused;
    }

    /// <summary>The chapters to run: those named (each file once), or every NN-*.dib of the notebooks folder.</summary>
    /// <param name="options">The command line.</param>
    /// <returns>Full paths, in run order.</returns>
    /// <exception cref="UsageException">A named file does not exist, or no chapter was found.</exception>
    public static IReadOnlyList<string> ResolveChapters(RunnerOptions options)
    {
        if (options.Chapters.Length > 0)
        {
            foreach (var c in options.Chapters)
            {
                if (Directory.Exists(c)) throw new UsageException($"{c}: that is a folder; name .dib files, or use --notebooks {c}.");
                if (!File.Exists(c)) throw new UsageException($"{c}: no such notebook file.");
            }
            return options.Chapters.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToList();
        }
        string dir = options.NotebooksDir ?? DefaultNotebooksFolder();
        if (!Directory.Exists(dir)) throw new UsageException($"{dir}: no such folder (use --notebooks DIR or name chapter files).");
        var chapters = Directory.GetFiles(Path.GetFullPath(dir), "*.dib")
            .Where(f => ChapterName().IsMatch(Path.GetFileName(f)))
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToList();
        if (chapters.Count == 0) throw new UsageException($"{dir}: no chapters (files named NN-*.dib).");
        return chapters;
    }

    // The notebooks/ of the course the working directory is in (CourseRoot: the nearest folder holding Course.sln);
    // outside a course, ./notebooks.
    private static string DefaultNotebooksFolder()
    {
        string cwd = Directory.GetCurrentDirectory();
        string? root = CourseRoot.TryFind(cwd);
        string dir = Path.Combine(root ?? cwd, "notebooks");
        if (root is null && !Directory.Exists(dir))
        {
            throw new UsageException($"no chapters to run: {CourseRoot.NotFound([cwd])}, and {dir} does not exist (use --notebooks DIR or name chapter files).");
        }
        return dir;
    }

    [GeneratedRegex(@"^[0-9][0-9]-.*\.dib$")]
    private static partial Regex ChapterName();
}
