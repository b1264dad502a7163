using System.Globalization;
using NotebookRunner.Documents;
using NotebookRunner.Execution;
using NotebookRunner.Output;
using Spectre.Console;

namespace NotebookRunner;

/// <summary>
/// What the runner prints: progress while chapters run (a live bar per chapter on a terminal, one line per cell
/// otherwise), the details of every failure (chapter, cell number, first lines, error, trace), and a summary
/// table at the end with each chapter's time split into kernel start, package restore, library load, the rest of
/// the shared set-up, and cells.
/// Every text from a kernel is cleaned of control characters first (see <see cref="SafeText"/>).
/// </summary>
internal sealed class ConsoleReport(IAnsiConsole console, bool live)
{
    private readonly IAnsiConsole console = console;
    private readonly Lock gate = new();

    /// <summary>Whether progress is drawn as a live bar.</summary>
    public bool Live { get; } = live;

    /// <summary>Runs every chapter under a progress display, up to <paramref name="jobs"/> at a time, in order.</summary>
    /// <param name="names">Chapter names, in run order.</param>
    /// <param name="jobs">Chapters at the same time.</param>
    /// <param name="run">Runs chapter i; it calls the function it is given once, with the document when it could be read, to get its observer.</param>
    /// <returns>A task that ends when every chapter ended.</returns>
    public async Task RunAllAsync(IReadOnlyList<string> names, int jobs, Func<int, Func<ChapterDocument?, IChapterObserver>, Task<ChapterResult>> run)
    {
        var failed = new List<ChapterResult>();
        if (Live)
        {
            await console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn())
                .StartAsync(async ctx =>
                {
                    await ForEachAsync(names.Count, jobs, async i =>
                    {
                        ProgressTask? task = null;
                        var r = await run(i, document =>
                        {
                            int cells = document?.CodeCells.Count() ?? 0;
                            lock (gate) task = ctx.AddTask(Markup.Escape(names[i]), maxValue: Math.Max(1, cells));
                            return new LiveObserver(task, names[i], cells);
                        });
                        if (task is not null)
                        {
                            task.Description = (r.Passed ? "[green]✓[/] " : "[red]✗[/] ") + Markup.Escape(names[i]);
                            task.StopTask();
                        }
                        if (!r.Passed) lock (gate) failed.Add(r);
                    });
                });
            foreach (var r in failed.OrderBy(r => names.ToList().IndexOf(r.Name))) Failure(r);
        }
        else
        {
            string Prefix(int i) => jobs > 1 ? Markup.Escape(names[i]) + " " : "";
            await ForEachAsync(names.Count, jobs, async i =>
            {
                var r = await run(i, document =>
                {
                    lock (gate) console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[bold]{Markup.Escape(names[i])}[/]: {document?.CodeCells.Count() ?? 0} code cells"));
                    return new LineObserver(console, gate, Prefix(i));
                });
                if (!r.Passed) lock (gate) Failure(r);
            });
        }
    }

    /// <summary>Runs body(0 … count-1), at most <paramref name="jobs"/> at a time, starting them in order.</summary>
    private static async Task ForEachAsync(int count, int jobs, Func<int, Task> body)
    {
        using var slots = new SemaphoreSlim(jobs);
        var tasks = new List<Task>();
        for (int i = 0; i < count; i++)
        {
            await slots.WaitAsync();
            int index = i;
            tasks.Add(Task.Run(async () =>
            {
                try { await body(index); }
                finally { slots.Release(); }
            }));
        }
        await Task.WhenAll(tasks);
    }

    /// <summary>Prints where and how a chapter failed.</summary>
    /// <param name="chapter">A chapter that did not pass.</param>
    public void Failure(ChapterResult chapter)
    {
        var cell = chapter.FirstFailure;
        var rows = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        rows.AddRow("[grey]chapter[/]", Text(chapter.Path));
        if (cell is null)
        {
            rows.AddRow("[grey]error[/]", Text(chapter.ChapterError ?? "failed"));
        }
        else
        {
            rows.AddRow("[grey]cell[/]", Text(string.Create(CultureInfo.InvariantCulture, $"{cell.Cell.Number} ({cell.Status.ToString().ToLowerInvariant()}, {cell.Duration.TotalSeconds:0.00} s)")));
            rows.AddRow("[grey]code[/]", Text(cell.Cell.FirstLines(3)));
            rows.AddRow("[grey]error[/]", "[red]" + Text(cell.Error ?? "failed") + "[/]");
            if (cell.Trace is not null) rows.AddRow("[grey]trace[/]", Text(string.Join("\n", cell.Trace.Split('\n').Take(12))));
        }
        console.Write(new Panel(rows).Header("[red] failed [/]").BorderColor(Color.Red).Expand());
    }

    /// <summary>Prints the summary table.</summary>
    /// <param name="chapters">All results.</param>
    /// <param name="total">Wall time of the whole run.</param>
    /// <param name="jobs">Chapters that ran at the same time.</param>
    public void Summary(IReadOnlyList<ChapterResult> chapters, TimeSpan total, int jobs)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Notebook run");
        foreach (var (title, right) in new[]
                 {
                     ("chapter", false), ("cells", true), ("ok", true), ("failed", true), ("not run", true), ("start", true),
                     ("restore", true), ("load", true), ("set-up", true), ("run cells", true), ("total", true), ("slowest cell", true), ("status", false),
                 })
        {
            var column = new TableColumn(title).NoWrap();
            table.AddColumn(right ? column.RightAligned() : column);
        }
        foreach (var c in chapters)
        {
            var code = c.CodeCells.ToList();
            var slowest = c.SlowestCell;
            table.AddRow(
                Text(c.Name),
                N(code.Count),
                N(code.Count(x => x.Status == CellStatus.Passed)),
                N(code.Count(x => x.Status is CellStatus.Failed or CellStatus.TimedOut)),
                N(code.Count(x => x.Status == CellStatus.NotRun)),
                S(c.KernelStart),
                S(c.Restore),
                S(c.Load),
                S(c.Setup),
                S(c.CellsTime),
                S(c.Duration),
                slowest is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{slowest.Duration.TotalSeconds:0.0} s (#{slowest.Cell.Number})"),
                c.Passed ? "[green]passed[/]" : "[red]" + (c.ChapterError is not null && c.FirstFailure is null ? "error" : c.FirstFailure?.Status == CellStatus.TimedOut ? "timed out" : "failed") + "[/]");
        }
        int failed = chapters.Count(c => !c.Passed);
        var sum = TimeSpan.FromTicks(chapters.Sum(c => c.Duration.Ticks));
        table.Caption(string.Create(CultureInfo.InvariantCulture,
            $"{chapters.Count - failed} of {chapters.Count} chapters passed in {total.TotalSeconds:0.0} s ({jobs} at a time; chapter times add up to {sum.TotalSeconds:0.0} s). start = kernel process and kernel; restore = #r \"nuget:…\"; load = #r of a library (and what that cell runs); set-up = the other cells of imported notebooks (the first compilation); run cells = the rest"));
        console.Write(table);
    }

    private static string Text(string text) => Markup.Escape(SafeText.Clean(text));

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string S(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.0} s");

    private sealed class LiveObserver(ProgressTask task, string name, int codeCells) : IChapterObserver
    {
        private int done;

        public void KernelReady(ChapterResult chapter) => task.Description = Markup.Escape(name) + " [grey]kernel ready[/]";

        public void CellStarted(ChapterResult chapter, CellResult cell) =>
            task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{name} · {done}/{codeCells} cells · running cell {cell.Cell.Number}"));

        public void CellFinished(ChapterResult chapter, CellResult cell)
        {
            done++;
            task.Increment(1);
        }
    }

    private sealed class LineObserver(IAnsiConsole console, Lock gate, string prefix) : IChapterObserver
    {
        public void KernelReady(ChapterResult chapter)
        {
            lock (gate) console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"  {prefix}kernel ready in {chapter.KernelStart.TotalSeconds:0.0} s"));
        }

        public void CellStarted(ChapterResult chapter, CellResult cell)
        {
        }

        public void CellFinished(ChapterResult chapter, CellResult cell)
        {
            string status = cell.Status == CellStatus.Passed ? "[green]ok[/]" : "[red]" + cell.Status.ToString().ToLowerInvariant() + "[/]";
            lock (gate) console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"  {prefix}cell {cell.Cell.Number,3} {status} {cell.Duration.TotalSeconds,6:0.00} s  [grey]{Text(Truncate(cell.Cell.FirstLines(1), 70))}[/]"));
        }

        private static string Truncate(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
    }
}
