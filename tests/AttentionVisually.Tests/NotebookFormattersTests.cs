using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using MathNet.Numerics.LinearAlgebra;
using Microsoft.DotNet.Interactive.Formatting;

namespace AttentionVisually.Tests;

public class NotebookFormattersTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 8)]
    [InlineData(16, 16)]
    [InlineData(40, 5)]
    [InlineData(2, 100)]
    public void A_matrix_shows_its_shape_and_at_most_sixteen_rows_and_columns(int rows, int cols)
    {
        var m = Init.Normal(rows, cols, seed: rows * 100 + cols);
        string html = NotebookFormatters.MatrixHtml(m);
        Assert.Contains($"of shape ({rows}, {cols})", html);
        int shownRows = Math.Min(rows, NotebookFormatters.MaxMatrixCells), shownCols = Math.Min(cols, NotebookFormatters.MaxMatrixCells);
        int numbers = Regex.Matches(html, "<td>-?[0-9]").Count;
        Assert.Equal(shownRows * shownCols, numbers);
        Assert.Equal(rows > shownRows, html.Contains("more rows"));
    }

    [Fact]
    public void A_matrix_cell_shows_the_value_at_its_position()
    {
        var m = Matrix<float>.Build.Dense(2, 2, (r, c) => r * 10 + c + 0.5f);
        var cells = Regex.Matches(NotebookFormatters.MatrixHtml(m), "<td>([^<]*)</td>").Select(x => float.Parse(x.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal([m[0, 0], m[0, 1], m[1, 0], m[1, 1]], cells);
    }

    [Fact]
    public void A_parameter_table_lists_every_part_and_their_total()
    {
        Setup.Install();
        var parts = new[] { new ParameterPart("W_Q", 1_000), new ParameterPart("W_K", 234) };
        string html = parts.ToDisplayString(HtmlFormatter.MimeType);
        Assert.Contains("<td>W_Q</td><td>1,000</td>", html);
        Assert.Contains("<td>W_K</td><td>234</td>", html);
        Assert.Contains("<th>total</th><th>1,234</th>", html);
    }

    [Fact]
    public void Installing_twice_is_the_same_as_installing_once()
    {
        Setup.Install();
        Setup.Install();
        Assert.True(Setup.IsInstalled);
    }

    [Fact]
    public void A_request_for_another_fsharp_core_version_gets_the_loaded_one()
    {
        var loaded = typeof(Microsoft.FSharp.Core.Unit).Assembly;
        var answer = Setup.ResolveFSharpCore(AssemblyLoadContext.Default, new AssemblyName("FSharp.Core, Version=99.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a"));
        Assert.Same(loaded, answer);
    }

    [Fact]
    public void Requests_for_other_assemblies_are_left_alone() =>
        Assert.Null(Setup.ResolveFSharpCore(AssemblyLoadContext.Default, new AssemblyName("Plotly.NET, Version=99.0.0.0")));
}
