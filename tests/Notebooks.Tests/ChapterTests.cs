using System.Text.Json;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Chromium;

namespace Notebooks.Tests;

/// <summary>Runs every chapter of notebooks/ once, as course.sh does, into a temporary output folder.</summary>
public sealed class CourseRun
{
    /// <summary>Builds the library the chapters load and runs the runner over all chapters.</summary>
    public CourseRun()
    {
        Course.BuildLibrary();
        OutDir = Course.TempFolder("course-run");
        (ExitCode, Output) = Course.Run(["--out", OutDir, "--plain", "--solutions", Path.Combine(Course.Notebooks, "solutions")], TimeSpan.FromMinutes(30));
        Report = JUnit.Load(Path.Combine(OutDir, "junit.xml"));
    }

    /// <summary>The runner's exit code.</summary>
    public int ExitCode { get; }

    /// <summary>Everything it printed.</summary>
    public string Output { get; }

    /// <summary>Its output folder.</summary>
    public string OutDir { get; }

    /// <summary>The JUnit report.</summary>
    public JUnit Report { get; }
}

/// <summary>Every chapter, headless: each cell passes, and its HTML page draws every chart with no network.</summary>
[Collection(NotebookCollection.Name)]
public sealed class ChapterTests(CourseRun run) : IClassFixture<CourseRun>
{
    public static TheoryData<string> Chapters => Course.Chapters();

    [Theory]
    [MemberData(nameof(Chapters))]
    public void Chapter_runs_headless_with_every_cell_passing(string chapter)
    {
        string name = Path.GetFileNameWithoutExtension(chapter);
        var suite = run.Report.Suite(name);
        if (suite.Element("testcase")?.Element("error") is { } error)
            Assert.Fail($"{chapter} could not run: {error.Value}");
        var failed = run.Report.Cases(name, "failure");
        if (failed.Count > 0)
        {
            var f = failed[0];
            Assert.Fail($"{chapter}, {(string)f.Attribute("name")!}\n{f.Element("failure")!.Value}");
        }
        Assert.Empty(run.Report.Cases(name, "skipped"));
        Assert.NotEmpty(run.Report.Cases(name, null));
    }

    [Theory]
    [MemberData(nameof(Chapters))]
    public void Chapter_page_draws_every_chart_with_the_network_cut(string chapter)
    {
        string name = Path.GetFileNameWithoutExtension(chapter);
        string page = Path.Combine(run.OutDir, name + ".html");
        int expected = ChartsInNotebook(Path.Combine(run.OutDir, name + ".ipynb"));
        Assert.True(expected > 0, $"{chapter} produced no chart");
        string html = File.ReadAllText(page);
        Assert.DoesNotMatch("<script[^>]*\\bsrc=", html);

        using var browser = Browser.Open();
        browser.Navigate().GoToUrl(new Uri(page).AbsoluteUri);
        int drawn = 0;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            drawn = Convert.ToInt32(((IJavaScriptExecutor)browser).ExecuteScript(
                "return Array.from(document.querySelectorAll('.plotly-chart, .js-plotly-plot')).filter(d => d.querySelector('.main-svg')).length;"));
            if (drawn >= expected) break;
            Thread.Sleep(250);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Equal(expected, drawn);
    }

    [Theory]
    [MemberData(nameof(Chapters))]
    public void Chapter_exercises_pass_with_their_reference_solutions_headless(string chapter)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.OutDir, "instructor", Path.GetFileNameWithoutExtension(chapter) + ".ipynb")));
        // The outputs only: the prose may quote what a blank exercise says.
        string text = string.Join("\n", json.RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.TryGetProperty("outputs", out _)).Select(c => c.GetProperty("outputs").GetRawText()));
        Assert.DoesNotContain("not attempted yet", text);
        Assert.DoesNotContain("❌", text);
        Assert.DoesNotContain("no prediction made", text);
        Assert.Matches("exercises done: (\\d+) of \\1", text);
    }

    /// <summary>Charts in the executed notebook's outputs, counted from what the kernel produced (not from the page).</summary>
    private static int ChartsInNotebook(string ipynb)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(ipynb));
        int count = 0;
        foreach (var cell in json.RootElement.GetProperty("cells").EnumerateArray())
        {
            if (!cell.TryGetProperty("outputs", out var outputs)) continue;
            foreach (var output in outputs.EnumerateArray())
            {
                if (!output.TryGetProperty("data", out var data) || !data.TryGetProperty("text/html", out var html)) continue;
                string text = html.ValueKind == JsonValueKind.Array ? string.Concat(html.EnumerateArray().Select(l => l.GetString())) : html.GetString() ?? "";
                count += CountOf(text, "Plotly chart will be drawn inside this DIV");
            }
        }
        return count;
    }

    private static int CountOf(string text, string what)
    {
        int n = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}

/// <summary>Headless Chromium from Debian's packages (build/setup.sh installs them), offline.</summary>
internal static class Browser
{
    /// <summary>Starts Chromium with the network cut.</summary>
    /// <returns>The driver; dispose it to close the browser.</returns>
    public static ChromeDriver Open()
    {
        var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-dev-shm-usage", "--window-size=1200,900",
            // Any http(s) request goes to a closed local port: the page must not need the network.
            "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>");
        var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        driver.NetworkConditions = new ChromiumNetworkConditions { IsOffline = true };
        return driver;
    }
}
