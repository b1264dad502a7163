using NotebookRunner.Documents;

namespace Notebooks.Tests;

/// <summary>Reading .dib files: cells and kernels as the stock parser splits them, and clear errors.</summary>
public sealed class ChapterDocumentTests
{
    private const string Meta = "#!meta\n\n{\"kernelInfo\":{\"defaultKernelName\":\"csharp\",\"items\":[{\"aliases\":[],\"name\":\"csharp\"}]}}\n\n";

    [Fact]
    public void Cells_are_numbered_in_file_order_with_markdown_counted()
    {
        var doc = ChapterDocument.Parse("a.dib", Meta + "#!markdown\n\n# Title\n\n#!csharp\n\nvar x = 1;\n\n#!c#\n\nx + 1\n");
        Assert.Equal(["markdown", "csharp", "csharp"], doc.Cells.Select(c => c.KernelName));
        Assert.Equal([1, 2, 3], doc.Cells.Select(c => c.Number));
        Assert.Equal("x + 1", doc.Cells[2].Code);
        Assert.Equal(2, doc.CodeCells.Count());
    }

    [Fact]
    public void Magic_commands_stay_inside_their_cell()
    {
        var doc = ChapterDocument.Parse("a.dib", Meta + "#!csharp\n\n#!import setup.dib\n\n#!csharp\n\n1\n");
        Assert.Equal("#!import setup.dib", doc.Cells[0].Code);
        Assert.Equal(2, doc.Cells.Count);
    }

    [Theory]
    [InlineData("#!fsharp\n\n1\n", "line 5: unknown kernel name or magic command '#!fsharp'")]
    [InlineData("#!csharp\n\n#!time\n1\n", "line 7: unknown kernel name or magic command '#!time'")]
    [InlineData("{\"cells\": []}", "looks like JSON")]
    [InlineData("#!csharp\n\n1\0\n", "NUL bytes")]
    public void A_file_the_runner_cannot_run_is_reported_with_the_reason(string body, string expected)
    {
        string text = body.StartsWith('{') ? body : Meta + body;
        var e = Assert.Throws<ChapterFormatException>(() => ChapterDocument.Parse("bad.dib", text));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("bad.dib: ", e.Message);
    }

    [Fact]
    public void Meta_declaring_a_kernel_the_runner_lacks_is_reported()
    {
        const string text = "#!meta\n\n{\"kernelInfo\":{\"items\":[{\"name\":\"pwsh\"}]}}\n\n#!csharp\n\n1\n";
        var e = Assert.Throws<ChapterFormatException>(() => ChapterDocument.Parse("m.dib", text));
        Assert.Contains("declares kernel 'pwsh'", e.Message);
    }

    [Fact]
    public void A_missing_file_is_a_file_not_found_error_naming_it()
    {
        var e = Assert.Throws<FileNotFoundException>(() => ChapterDocument.Load("no/such/chapter.dib"));
        Assert.Contains("no/such/chapter.dib", e.Message);
    }

    [Fact]
    public void Invalid_utf8_is_reported_as_malformed()
    {
        string path = Path.Combine(Course.TempFolder("utf8"), "latin1.dib");
        File.WriteAllBytes(path, [.. System.Text.Encoding.ASCII.GetBytes("#!csharp\n\nvar s = \""), 0xE9, .. System.Text.Encoding.ASCII.GetBytes("\";\n")]);
        var e = Assert.Throws<ChapterFormatException>(() => ChapterDocument.Load(path));
        Assert.Contains("not UTF-8", e.Message);
    }
}
