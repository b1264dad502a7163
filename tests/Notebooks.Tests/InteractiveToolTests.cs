namespace Notebooks.Tests;

/// <summary>
/// Every chapter in the third host: the real dotnet-interactive tool in stdio mode, one SubmitCode per cell, as
/// VS Code runs a notebook (see <see cref="InteractiveTool"/>).
/// </summary>
[Collection(NotebookCollection.Name)]
public sealed class InteractiveToolTests(StockKernel tools) : IClassFixture<StockKernel>
{
    private static readonly TimeSpan CellLimit = TimeSpan.FromMinutes(5);

    public static TheoryData<string> Chapters => Course.Chapters();

    [Theory]
    [MemberData(nameof(Chapters))]
    public void Chapter_runs_in_dotnet_interactive_with_no_failed_cell(string chapter)
    {
        Assert.NotNull(tools);
        string? failure = InteractiveTool.RunNotebook(Path.Combine(Course.Notebooks, chapter), CellLimit);
        Assert.True(failure is null, failure);
    }

    [Fact]
    public void A_failing_cell_is_reported_with_its_code_and_the_error()
    {
        string? failure = InteractiveTool.RunNotebook(Path.Combine(Course.Samples, "exception.dib"), CellLimit);
        Assert.NotNull(failure);
        Assert.Contains("exception.dib, cell 2 failed in dotnet-interactive", failure);
        Assert.Contains("throw new InvalidOperationException(\"deliberate failure in cell 2\")", failure);
        Assert.Contains("--- error ---\nSystem.InvalidOperationException: deliberate failure in cell 2", failure);
    }

    [Fact]
    public void A_passing_notebook_passes()
    {
        Assert.Null(InteractiveTool.RunNotebook(Path.Combine(Course.Samples, "passing.dib"), CellLimit));
    }

    [Fact]
    public void The_kernel_starts_in_the_working_dir_and_every_process_of_the_tool_ends_with_it()
    {
        int group;
        using (var tool = InteractiveTool.Start(Course.Samples, TimeSpan.FromMinutes(3)))
        {
            group = tool.ProcessGroup;
            Assert.Null(tool.Submit("if (System.IO.Directory.GetCurrentDirectory() != " + Literal(Course.Samples) + ") throw new Exception(System.IO.Directory.GetCurrentDirectory());", "csharp", CellLimit));
            // The wrapper (dotnet tool run) and the kernel it started are both in the group.
            Assert.True(InteractiveTool.Members(group).Count >= 2, $"processes in group {group}: {string.Join(", ", InteractiveTool.Members(group))}");
        }
        Assert.Empty(InteractiveTool.Members(group));
    }

    private static string Literal(string text) => "@\"" + text.Replace("\"", "\"\"") + "\"";
}
