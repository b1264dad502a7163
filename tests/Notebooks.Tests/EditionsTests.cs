using OpenQA.Selenium;

namespace Notebooks.Tests;

/// <summary>
/// One run with the reference solutions writes two editions: the learner's page holds the blank stubs and no line
/// of any solution; the instructor's page shows the solutions, folded, and their checks passing. Read in a browser,
/// as a learner or an instructor reads them.
/// </summary>
[Collection(NotebookCollection.Name)]
public sealed class EditionsTests
{
    private const string Chapter = "02-queries-and-keys";

    private static string[] SolutionLines() =>
        File.ReadAllLines(Path.Combine(Course.Notebooks, "solutions", Chapter + ".cs"))
            .Select(l => l.Trim())
            .Where(l => l.Length >= 12 && !l.StartsWith("//", StringComparison.Ordinal) && !l.Contains("Matrix<float> MyScores(", StringComparison.Ordinal))
            .ToArray();

    private static string Text(string page)
    {
        using var browser = Browser.Open();
        browser.Navigate().GoToUrl(new Uri(page).AbsoluteUri);
        // Open every folded section first, so that the text read is everything a reader can reach.
        return (string?)((IJavaScriptExecutor)browser).ExecuteScript(
            "document.querySelectorAll('details').forEach(d => d.open = true); return document.body.innerText;") ?? "";
    }

    [Fact]
    public void The_learner_edition_holds_no_solution_text_and_the_instructor_edition_does()
    {
        Course.BuildLibrary();
        string outDir = Course.TempFolder("editions");
        var result = Course.Run([Path.Combine(Course.Notebooks, Chapter + ".dib"), "--out", outDir, "--plain", "--solutions", Path.Combine(Course.Notebooks, "solutions")], TimeSpan.FromMinutes(5));
        Assert.True(result.ExitCode == 0, result.Output);
        var solution = SolutionLines();
        Assert.NotEmpty(solution);

        string learner = Text(Path.Combine(outDir, Chapter + ".html"));
        Assert.Contains("throw new NotImplementedException();", learner);
        Assert.Contains("it checks your answer to the exercise above", learner);
        Assert.DoesNotContain("passed all", learner);
        Assert.DoesNotContain("\"verdant\"; // the adjective", learner);
        foreach (var line in solution) Assert.DoesNotContain(line, learner);
        string learnerNotebook = File.ReadAllText(Path.Combine(outDir, Chapter + ".ipynb"));
        foreach (var line in solution) Assert.DoesNotContain(System.Text.Json.JsonSerializer.Serialize(line).Trim('"'), learnerNotebook);

        string instructorPage = Path.Combine(outDir, "instructor", Chapter + ".html");
        Assert.Contains("<details class=\"solution\"><summary>reference solution</summary>", File.ReadAllText(instructorPage));
        string instructor = Text(instructorPage);
        foreach (var line in solution) Assert.Contains(line, instructor);
        Assert.Contains("✅ 02.scores (the grid of dot products): passed all", instructor);
        Assert.Contains("exercises done: 2 of 2", instructor);
        Assert.True(File.Exists(Path.Combine(outDir, "instructor", "index.html")), "the instructor edition has its own index");
    }
}
