using System.Text.Json;
using System.Text.RegularExpressions;

namespace Notebooks.Tests;

/// <summary>
/// Two runs of a chapter give the same outputs: every number is seeded, nothing depends on the clock. The first
/// run is the session's course run; the second runs only the chapters compared here.
/// </summary>
[Collection(CourseCollection.Name)]
public sealed partial class DeterminismTests(CourseRun run)
{
    // Chapters 08 and 09 time engines on purpose, so their outputs differ between runs.
    private static readonly string[] Compared = ["01-tokens-and-embeddings", "03-softmax-and-scaling", "06-multi-head-attention"];

    /// <summary>The second run: the compared chapters only, in one runner call shared by the cases.</summary>
    private static readonly Lazy<(int ExitCode, string Output, string OutDir)> Again = new(() =>
    {
        string outDir = Course.TempFolder("course-rerun");
        // As the session's run: with the reference solutions, so the exercise cells compute the same in both.
        var (exitCode, output) = Course.Run(
            [.. Compared.Select(c => Path.Combine(Course.Notebooks, c + ".dib")), "--out", outDir, "--plain",
             "--solutions", Path.Combine(Course.Notebooks, "solutions")],
            TimeSpan.FromMinutes(10));
        return (exitCode, output, outDir);
    });

    public static TheoryData<string> Deterministic => new(Compared);

    [Theory]
    [MemberData(nameof(Deterministic))]
    public void A_second_run_gives_the_same_outputs(string chapter)
    {
        var (exitCode, output, again) = Again.Value;
        Assert.True(exitCode == 0, output);
        // The instructor's edition holds every output as computed (the learner's replaces the checks' outputs).
        var first = Outputs(Path.Combine(run.OutDir, "instructor", chapter + ".ipynb"));
        var second = Outputs(Path.Combine(again, "instructor", chapter + ".ipynb"));
        Assert.Equal(first.Count, second.Count);
        for (int i = 0; i < first.Count; i++) Assert.True(first[i] == second[i], $"{chapter}: output {i} differs between runs");
        Assert.Contains(first, o => o.Contains("newPlot", StringComparison.Ordinal)); // charts are compared too
    }

    /// <summary>Every output of every code cell, with the chart element ids (fresh GUIDs per display) blanked.</summary>
    private static List<string> Outputs(string ipynb)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(ipynb));
        var outputs = new List<string>();
        foreach (var cell in doc.RootElement.GetProperty("cells").EnumerateArray())
        {
            if (!cell.TryGetProperty("outputs", out var cellOutputs)) continue;
            foreach (var o in cellOutputs.EnumerateArray())
                outputs.Add(Guid().Replace(o.GetRawText(), "<id>"));
        }
        return outputs;
    }

    [GeneratedRegex("[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")]
    private static partial Regex Guid();
}
