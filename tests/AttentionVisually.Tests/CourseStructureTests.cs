using System.Text.RegularExpressions;

namespace AttentionVisually.Tests;

/// <summary>Checks every chapter has the parts a learner relies on, without running a kernel.</summary>
public class CourseStructureTests
{
    private static string[] ChapterFiles() =>
        Directory.GetFiles(Path.Combine(CoursePaths.Root, "notebooks"), "*.dib")
            .Select(f => Path.GetFileName(f)).Where(f => Regex.IsMatch(f, @"^\d\d-")).Order().ToArray();

    public static TheoryData<string> Chapters() => new(ChapterFiles());

    private static string[] Cells(string chapter, string kind) =>
        Regex.Split(File.ReadAllText(Path.Combine(CoursePaths.Root, "notebooks", chapter)), @"^#!", RegexOptions.Multiline)
            .Where(c => c.StartsWith(kind + "\n", StringComparison.Ordinal) || c.StartsWith(kind + "\r\n", StringComparison.Ordinal))
            .Select(c => c[kind.Length..].Trim())
            .ToArray();

    [Fact]
    public void Chapters_are_numbered_from_00_in_ascending_order_without_repeats()
    {
        var numbers = ChapterFiles().Select(c => int.Parse(c[..2], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(0, numbers[0]);
        Assert.Equal(numbers.Order().Distinct(), numbers);
    }

    [Theory]
    [MemberData(nameof(Chapters))]
    public void A_chapter_opens_with_prose_then_imports_the_shared_setup(string chapter)
    {
        var text = File.ReadAllText(Path.Combine(CoursePaths.Root, "notebooks", chapter));
        var firstCode = text.IndexOf("#!csharp", StringComparison.Ordinal);
        Assert.True(text.IndexOf("#!markdown", StringComparison.Ordinal) < firstCode, "prose comes first");
        Assert.StartsWith("#!import setup.dib", text[(firstCode + "#!csharp".Length)..].TrimStart());
    }

    [Theory]
    [MemberData(nameof(Chapters))]
    public void A_chapter_ends_with_what_to_remember_and_a_checked_exercise(string chapter)
    {
        Assert.Contains(Cells(chapter, "markdown"), c => c.Contains("## What to remember", StringComparison.Ordinal));
        Assert.Contains(Cells(chapter, "markdown"), c => c.Contains("## Exercise", StringComparison.Ordinal));
        Assert.Contains(Cells(chapter, "csharp"), c => c.Contains("Exercise.Check(", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Chapters))]
    public void Code_cells_stay_short(string chapter)
    {
        foreach (var cell in Cells(chapter, "csharp"))
            Assert.True(cell.Split('\n').Length <= 30, $"a cell of {chapter} has {cell.Split('\n').Length} lines:\n{cell[..Math.Min(200, cell.Length)]}");
    }

    [Theory]
    [MemberData(nameof(Chapters))]
    public void The_main_path_of_a_chapter_has_at_most_15_code_cells_and_optional_detours_come_last(string chapter)
    {
        var text = File.ReadAllText(Path.Combine(CoursePaths.Root, "notebooks", chapter));
        int deeper = text.IndexOf("## Going deeper (optional)", StringComparison.Ordinal);
        var mainPath = deeper < 0 ? text : text[..deeper];
        int codeCells = Regex.Matches(mainPath, @"^#!csharp\r?$", RegexOptions.Multiline).Count;
        Assert.True(codeCells <= 15, $"{chapter} has {codeCells} code cells before its optional section");
        if (deeper >= 0)
            Assert.True(text.IndexOf("## What to remember", StringComparison.Ordinal) < deeper, $"{chapter}: the optional section comes after the summary");
    }

    [Theory]
    [MemberData(nameof(Chapters))]
    public void Every_chart_has_a_title(string chapter)
    {
        foreach (var cell in Cells(chapter, "csharp").Where(c => c.Contains("Charts.", StringComparison.Ordinal)))
            Assert.DoesNotContain("\"\"", cell);
    }
}
