using NotebookRunner.Documents;
using NotebookRunner.Execution;
using NotebookRunner.Output;

namespace Notebooks.Tests;

/// <summary>Reference solutions put in place of the marked stubs, and the learner's edition that hides them again.</summary>
public sealed class ExerciseSolutionsTests
{
    private const string Meta = "#!meta\n\n{\"kernelInfo\":{\"defaultKernelName\":\"csharp\",\"items\":[{\"aliases\":[],\"name\":\"csharp\"}]}}\n\n";

    private const string Chapter = Meta +
        "#!markdown\n\nWrite it.\n\n" +
        "#!csharp\n\n// exercise: 02.scores\nint Answer() => throw new NotImplementedException();\n\n" +
        "#!csharp\n\nCheck(Answer)\n\n" +
        "#!csharp\n\nvar after = 1;\n\n" +
        "#!csharp\n\nExerciseBook.Done(\"02\")\n";

    private static string Solutions(string text)
    {
        string path = Path.Combine(Course.TempFolder("solutions"), "02-x.cs");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_marked_cell_runs_its_solution_block_and_every_other_cell_stays()
    {
        var doc = ChapterDocument.Parse("02-x.dib", Chapter);
        var solved = ExerciseSolutions.Apply(doc, Solutions("// Reference solutions\n// exercise: 02.scores\nint Answer() => 42;\n"));
        Assert.Equal("// exercise: 02.scores\nint Answer() => 42;\n", solved.Cells[1].Code);
        Assert.Equal(doc.Cells.Select(c => c.Code).Where((_, i) => i != 1), solved.Cells.Select(c => c.Code).Where((_, i) => i != 1));
        Assert.Equal("02.scores", ExerciseSolutions.IdOf(solved.Cells[1]));
    }

    [Theory]
    [InlineData("// exercise: 02.other\nint Answer() => 1;\n", "has no block for it")]
    [InlineData("// exercise: 02.scores\nint Answer() => 1;\n// exercise: 02.stale\nvar x = 1;\n", "block(s) 02.stale match no marked cell")]
    [InlineData("var loose = 1;\n// exercise: 02.scores\nint Answer() => 1;\n", "code before the first")]
    [InlineData("// exercise: 02.scores\nint A() => 1;\n// exercise: 02.scores\nint B() => 2;\n", "has two blocks")]
    public void A_solutions_file_that_does_not_match_its_chapter_is_named_in_the_error(string solutions, string message)
    {
        var doc = ChapterDocument.Parse("02-x.dib", Chapter);
        var ex = Assert.Throws<ChapterFormatException>(() => ExerciseSolutions.Apply(doc, Solutions(solutions)));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void The_learner_edition_shows_the_stub_and_hides_the_check_and_progress_outputs()
    {
        var doc = ChapterDocument.Parse("02-x.dib", Chapter);
        var solved = ExerciseSolutions.Apply(doc, Solutions("// exercise: 02.scores\nint Answer() => 42;\n"));
        var run = new ChapterResult(solved);
        foreach (var cell in run.CodeCells)
        {
            cell.Status = CellStatus.Passed;
            cell.Outputs.Add(new CellOutput { Data = { ["text/plain"] = "out of cell " + cell.Cell.Number } });
        }
        var learner = Editions.Learner(run, doc);
        Assert.Contains("NotImplementedException", learner.Cells[1].Cell.Code);
        Assert.Empty(learner.Cells[1].Outputs);
        Assert.Equal(Editions.CheckNote, learner.Cells[2].Outputs.Single().Data["text/plain"]);
        Assert.Equal("out of cell 4", learner.Cells[3].Outputs.Single().Data["text/plain"]);
        Assert.Equal(Editions.CheckNote, learner.Cells[4].Outputs.Single().Data["text/plain"]);
        Assert.Equal([2], Editions.SolutionCells(run));
    }
}
