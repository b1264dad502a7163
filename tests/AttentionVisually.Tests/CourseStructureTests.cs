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

    private static string[] MainPathCells(string chapter, string kind)
    {
        var text = File.ReadAllText(Path.Combine(CoursePaths.Root, "notebooks", chapter));
        int deeper = text.IndexOf("## Going deeper (optional)", StringComparison.Ordinal);
        return Regex.Split(deeper < 0 ? text : text[..deeper], @"^#!", RegexOptions.Multiline)
            .Where(c => c.StartsWith(kind + "\n", StringComparison.Ordinal) || c.StartsWith(kind + "\r\n", StringComparison.Ordinal))
            .Select(c => c[kind.Length..].Trim())
            .ToArray();
    }

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
    public void A_chapter_ends_with_what_to_remember_its_exercises_and_their_count(string chapter)
    {
        Assert.Contains(Cells(chapter, "markdown"), c => c.Contains("## What to remember", StringComparison.Ordinal));
        Assert.Contains(Cells(chapter, "markdown"), c => c.Contains("## Exercise", StringComparison.Ordinal));
        // The progress line closes the main path; an optional section ("## Going deeper (optional)") may follow it.
        Assert.Equal($"ExerciseBook.Done(\"{chapter[..2]}\")", MainPathCells(chapter, "csharp")[^1]);
    }

    [Theory]
    [MemberData(nameof(Chapters))]
    public void Every_exercise_of_a_chapter_has_a_marked_blank_cell_and_a_check_right_after_it(string chapter)
    {
        var code = Cells(chapter, "csharp");
        var marked = code.Select((c, i) => (Id: Regex.Match(c, @"^// exercise: (\S+)").Groups[1].Value, At: i)).Where(m => m.Id.Length > 0).ToArray();
        Assert.Equal(AttentionVisually.Lesson.ExerciseBook.OfChapter(chapter[..2]).Order(StringComparer.Ordinal), marked.Select(m => m.Id).Order(StringComparer.Ordinal));
        foreach (var (id, at) in marked)
        {
            var stub = code[at];
            bool blank = stub.Contains("throw new NotImplementedException();", StringComparison.Ordinal) || Regex.IsMatch(stub, @"^\w+\? \w+ = null;", RegexOptions.Multiline);
            Assert.True(blank, $"{chapter}: the cell of {id} is not a blank stub:\n{stub}");
            bool prediction = id.EndsWith("-prediction", StringComparison.Ordinal);
            if (!prediction)
                Assert.Matches(@"(Exercises\.\w+\.Check\(|Answers\.Check\(|Answers\.QueriesAxis\()", code[at + 1]);
        }
    }

    [Theory]
    [MemberData(nameof(Chapters))]
    public void No_chapter_holds_a_line_of_its_reference_solutions(string chapter)
    {
        string solutions = Path.Combine(CoursePaths.Root, "notebooks", "solutions", Path.ChangeExtension(chapter, ".cs"));
        if (!File.Exists(solutions)) return;
        var text = File.ReadAllText(Path.Combine(CoursePaths.Root, "notebooks", chapter));
        var stubLines = text.Split('\n').Select(l => l.Trim()).ToHashSet();
        foreach (var line in File.ReadAllLines(solutions).Select(l => l.Trim()))
        {
            if (line.Length < 12 || line.StartsWith("//", StringComparison.Ordinal) || stubLines.Contains(line)) continue;
            Assert.DoesNotContain(line, text);
        }
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
    public void No_line_of_a_code_cell_or_of_its_reference_solutions_is_longer_than_120_characters(string chapter)
    {
        const int MaxLength = 120;
        var lines = File.ReadAllLines(Path.Combine(CoursePaths.Root, "notebooks", chapter));
        string? kind = null;
        var tooLong = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            var cellStart = Regex.Match(lines[i], @"^#!(csharp|markdown|meta|value|html|javascript|mermaid|pwsh|fsharp)\s*$");
            if (cellStart.Success) kind = cellStart.Groups[1].Value;
            else if (kind == "csharp" && lines[i].Length > MaxLength)
                tooLong.Add($"{chapter} line {i + 1} ({lines[i].Length} characters): {lines[i].Trim()}");
        }
        string solutions = Path.Combine(CoursePaths.Root, "notebooks", "solutions", Path.ChangeExtension(chapter, ".cs"));
        if (File.Exists(solutions))
        {
            var solutionLines = File.ReadAllLines(solutions);
            for (int i = 0; i < solutionLines.Length; i++)
                if (solutionLines[i].Length > MaxLength)
                    tooLong.Add($"solutions/{Path.GetFileName(solutions)} line {i + 1} ({solutionLines[i].Length} characters): " +
                        solutionLines[i].Trim());
        }
        Assert.True(tooLong.Count == 0, $"lines a learner reads are longer than {MaxLength} characters:\n" + string.Join("\n", tooLong));
    }

    [Theory]
    [MemberData(nameof(Chapters))]
    public void The_main_path_of_a_chapter_has_at_most_15_code_cells_besides_its_exercises_and_optional_detours_come_last(string chapter)
    {
        var text = File.ReadAllText(Path.Combine(CoursePaths.Root, "notebooks", chapter));
        int deeper = text.IndexOf("## Going deeper (optional)", StringComparison.Ordinal);
        var mainPath = deeper < 0 ? text : text[..deeper];
        // Exercise cells (a stub with its marker line, its check, the chapter's progress line) are the learner's
        // practice, not the chapter's story; every other code cell before the optional section counts.
        var exercise = new Regex(@"// exercise:|^\s*(Exercises\.|ExerciseBook\.Done|Answers\.)", RegexOptions.Multiline);
        var codeCells = Regex.Split(mainPath, @"^#!", RegexOptions.Multiline)
            .Where(c => c.StartsWith("csharp\n", StringComparison.Ordinal) || c.StartsWith("csharp\r\n", StringComparison.Ordinal))
            .Count(c => !exercise.IsMatch(c));
        Assert.True(codeCells <= 15, $"{chapter} has {codeCells} code cells (besides exercises) before its optional section");
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
