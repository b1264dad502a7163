using System.Globalization;
using System.Xml.Linq;
using NotebookRunner.Execution;

namespace NotebookRunner.Output;

/// <summary>
/// A JUnit XML report for CI: one test suite per chapter, one test case per code cell (named by number and
/// first line), a failure element for failed or timed-out cells, skipped for cells that did not run, and
/// an error case for a chapter that could not run at all. Every text is cleaned first (<see cref="SafeText"/>), so
/// the report is valid XML 1.0 whatever a cell printed.
/// </summary>
internal static class JUnitReport
{
    /// <summary>Writes the report.</summary>
    /// <param name="chapters">All chapter results.</param>
    /// <param name="path">Target .xml path.</param>
    public static void Write(IReadOnlyList<ChapterResult> chapters, string path)
    {
        var suites = chapters.Select(Suite).ToList();
        var root = new XElement("testsuites",
            new XAttribute("name", "notebooks"),
            new XAttribute("tests", suites.Sum(s => (int)s.Attribute("tests")!)),
            new XAttribute("failures", suites.Sum(s => (int)s.Attribute("failures")!)),
            new XAttribute("errors", suites.Sum(s => (int)s.Attribute("errors")!)),
            new XAttribute("skipped", suites.Sum(s => (int)s.Attribute("skipped")!)),
            new XAttribute("time", Seconds(TimeSpan.FromTicks(chapters.Sum(c => c.Duration.Ticks)))),
            suites);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        new XDocument(new XDeclaration("1.0", "utf-8", null), root).Save(path);
    }

    private static XElement Suite(ChapterResult chapter)
    {
        var cases = new List<XElement>();
        if (chapter.ChapterError is not null)
        {
            cases.Add(new XElement("testcase",
                new XAttribute("classname", X($"notebooks.{chapter.Name}")),
                new XAttribute("name", "kernel"),
                new XAttribute("time", Seconds(chapter.KernelStart)),
                new XElement("error", new XAttribute("message", X(FirstLine(chapter.ChapterError))), X(chapter.ChapterError))));
        }
        foreach (var cell in chapter.CodeCells)
        {
            var testCase = new XElement("testcase",
                new XAttribute("classname", X($"notebooks.{chapter.Name}")),
                new XAttribute("name", X($"cell {cell.Cell.Number:00}: {Truncate(FirstLine(cell.Cell.FirstLines(1)), 80)}")),
                new XAttribute("time", Seconds(cell.Duration)));
            switch (cell.Status)
            {
                case CellStatus.Failed:
                case CellStatus.TimedOut:
                    testCase.Add(new XElement("failure",
                        new XAttribute("message", X(cell.Error ?? "failed")),
                        new XAttribute("type", cell.Status == CellStatus.TimedOut ? "timeout" : "error"),
                        X(string.Join("\n", new[] { cell.Error, cell.Trace }.Where(s => s is not null)))));
                    break;
                case CellStatus.NotRun:
                    testCase.Add(new XElement("skipped", new XAttribute("message", "an earlier cell failed")));
                    break;
            }
            cases.Add(testCase);
        }
        if (chapter.ProcessOutput.Text is { Length: > 0 } processOutput) cases.Add(new XElement("system-err", X(processOutput)));
        return new XElement("testsuite",
            new XAttribute("name", X(chapter.Name)),
            new XAttribute("tests", cases.Count(c => c.Name == "testcase")),
            new XAttribute("failures", chapter.CodeCells.Count(c => c.Status is CellStatus.Failed or CellStatus.TimedOut)),
            new XAttribute("errors", chapter.ChapterError is null ? 0 : 1),
            new XAttribute("skipped", chapter.CodeCells.Count(c => c.Status == CellStatus.NotRun)),
            new XAttribute("time", Seconds(chapter.Duration)),
            cases);
    }

    private static string X(string text) => SafeText.Clean(text);

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
