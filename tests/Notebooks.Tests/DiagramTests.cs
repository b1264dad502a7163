using OpenQA.Selenium;

namespace Notebooks.Tests;

/// <summary>The chapters with flow diagrams, run once into their own output folder.</summary>
public sealed class DiagramChaptersRun
{
    /// <summary>The chapters that draw a diagram, and how many each draws.</summary>
    public static readonly IReadOnlyDictionary<string, int> Expected = new Dictionary<string, int>
    {
        ["05-values-and-the-update"] = 1,   // one head: e → q, k, v → grid → pattern → Δe → e′
        ["07-the-transformer-block"] = 1,   // a block on the residual stream
    };

    /// <summary>Builds the library and runs the chapters.</summary>
    public DiagramChaptersRun()
    {
        Course.BuildLibrary();
        OutDir = Course.TempFolder("diagram-run");
        var chapters = Expected.Keys.Select(c => Path.Combine("notebooks", c + ".dib"));
        (ExitCode, Output) = Course.Run([.. chapters, "--out", OutDir, "--plain"], TimeSpan.FromMinutes(10));
    }

    /// <summary>The runner's exit code.</summary>
    public int ExitCode { get; }

    /// <summary>Everything it printed.</summary>
    public string Output { get; }

    /// <summary>Its output folder.</summary>
    public string OutDir { get; }
}

/// <summary>The flow diagrams are in the executed notebooks and drawn by the offline HTML pages.</summary>
[Collection(NotebookCollection.Name)]
public sealed class DiagramTests(DiagramChaptersRun run) : IClassFixture<DiagramChaptersRun>
{
    public static TheoryData<string> Chapters() => new(DiagramChaptersRun.Expected.Keys);

    // Diagrams carry layout.meta = "course-diagram" (AttentionVisually.Diagrams.Meta).
    private const string Marker = "\"meta\":\"course-diagram\"";

    [Theory]
    [MemberData(nameof(Chapters))]
    public void The_executed_notebook_holds_the_chapter_s_diagrams(string chapter)
    {
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(DiagramChaptersRun.Expected[chapter], DiagramsInNotebook(Path.Combine(run.OutDir, chapter + ".ipynb")));
    }

    [Theory]
    [MemberData(nameof(Chapters))]
    public void The_page_draws_every_diagram_with_the_network_cut(string chapter)
    {
        string page = Path.Combine(run.OutDir, chapter + ".html");
        using var browser = Browser.Open();
        browser.Navigate().GoToUrl(new Uri(page).AbsoluteUri);
        const string count = "return Array.from(document.querySelectorAll('.js-plotly-plot'))" +
            ".filter(d => d.layout && d.layout.meta === 'course-diagram' && d.querySelector('.main-svg')" +
            " && d.querySelectorAll('.annotation').length > 0).length;";
        int drawn = 0;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            drawn = Convert.ToInt32(((IJavaScriptExecutor)browser).ExecuteScript(count));
            if (drawn >= DiagramChaptersRun.Expected[chapter]) break;
            Thread.Sleep(250);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Equal(DiagramChaptersRun.Expected[chapter], drawn);
    }

    // In the .ipynb the chart's HTML is a JSON string, so the marker's quotes are escaped there.
    private static int DiagramsInNotebook(string ipynb) =>
        File.ReadAllText(ipynb).Split(Marker.Replace("\"", "\\\"", StringComparison.Ordinal)).Length - 1;
}
