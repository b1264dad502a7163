namespace Notebooks.Tests;

/// <summary>The index lists every page in the output folder, not only the chapters of the latest run.</summary>
[Collection(NotebookCollection.Name)]
public sealed class IndexPageTests
{
    [Fact]
    public void A_partial_run_keeps_the_rows_of_pages_already_in_the_folder()
    {
        string outDir = Course.TempFolder("index-run");
        var first = Course.Run([Path.Combine(Course.Samples, "passing.dib"), "--out", outDir, "--plain"], TimeSpan.FromMinutes(3));
        Assert.True(first.ExitCode == 0, first.Output);
        File.Move(Path.Combine(outDir, "passing.html"), Path.Combine(outDir, "earlier.html"));
        File.WriteAllText(Path.Combine(outDir, "index.html"), File.ReadAllText(Path.Combine(outDir, "index.html")).Replace("passing", "earlier"));

        var second = Course.Run([Path.Combine(Course.Samples, "passing.dib"), "--out", outDir, "--plain"], TimeSpan.FromMinutes(3));
        Assert.True(second.ExitCode == 0, second.Output);
        string index = File.ReadAllText(Path.Combine(outDir, "index.html"));
        Assert.Contains("href=\"earlier.html\"", index);
        Assert.Contains("href=\"passing.html\"", index);

        File.Delete(Path.Combine(outDir, "earlier.html"));
        var third = Course.Run([Path.Combine(Course.Samples, "passing.dib"), "--out", outDir, "--plain"], TimeSpan.FromMinutes(3));
        Assert.True(third.ExitCode == 0, third.Output);
        Assert.DoesNotContain("earlier", File.ReadAllText(Path.Combine(outDir, "index.html")));
    }
}
