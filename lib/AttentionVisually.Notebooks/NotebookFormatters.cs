using System.Globalization;
using MathNet.Numerics.LinearAlgebra;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;
using static Microsoft.DotNet.Interactive.Formatting.PocketViewTags;

namespace AttentionVisually.Notebooks;

/// <summary>
/// How the course's own types display in a notebook (VS Code and the course's runner alike), registered with
/// Microsoft.DotNet.Interactive.Formatting: an attention pattern shows as a labelled heatmap on the course's
/// one colour scale (<see cref="Charts.Pattern"/>), a matrix as a table with its shape, a parameter count as
/// a table with a total. New row types get the same treatment through <see cref="RegisterTable{T}"/>.
/// </summary>
public static class NotebookFormatters
{
    /// <summary>Largest number of rows or columns of a matrix shown in full; larger ones are cut with "…".</summary>
    public const int MaxMatrixCells = 16;

    /// <summary>Registers every formatter of the course (called by <see cref="Setup.Install"/>).</summary>
    /// <remarks>
    /// Registering must not load Plotly.NET: set-up references Plotly.NET.Interactive next, and Plotly.NET has
    /// to be loaded the way that package loads it. So the delegates here name no Plotly type; the charts are
    /// built only when a value is displayed.
    /// </remarks>
    public static void Register()
    {
        Formatter.Register<AttentionResult>((r, writer) => writer.Write(PatternHtml(r.Pattern)), HtmlFormatter.MimeType);
        Formatter.Register<HeadOutput>((h, writer) => writer.Write(PatternHtml(h.Pattern)), HtmlFormatter.MimeType);
        Formatter.Register<Matrix<float>>((m, writer) => writer.Write(MatrixHtml(m)), HtmlFormatter.MimeType);
        Formatter.Register<Table>((t, writer) => writer.Write(t.ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<Table>((t, writer) => writer.Write(t.ToString()), PlainTextFormatter.MimeType);
        RegisterTable<ParameterPart>(
            ["part", "parameters"],
            p => [p.Part, p.Parameters.ToString("N0", CultureInfo.InvariantCulture)],
            parts => ["total", parts.Sum(p => p.Parameters).ToString("N0", CultureInfo.InvariantCulture)]);
    }

    /// <summary>
    /// Displays sequences (arrays, lists) of <typeparamref name="T"/> as a table with the given columns and,
    /// optionally, a last row that sums them up.
    /// </summary>
    /// <typeparam name="T">Row type.</typeparam>
    /// <param name="headers">Column titles.</param>
    /// <param name="cells">One text per column for a row.</param>
    /// <param name="footer">Texts of a closing row computed from all rows, or null for none.</param>
    /// <exception cref="ArgumentException">No headers.</exception>
    public static void RegisterTable<T>(IReadOnlyList<string> headers, Func<T, IReadOnlyList<string>> cells, Func<IReadOnlyList<T>, IReadOnlyList<string>>? footer = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(cells);
        if (headers.Count == 0) throw new ArgumentException("a table needs at least one column.", nameof(headers));
        void Write(IEnumerable<T> rows, TextWriter writer)
        {
            var all = rows.ToList();
            writer.Write(Table.From(headers, all.Select(cells), footer?.Invoke(all)).ToHtml());
        }
        Formatter.Register<T[]>((rows, writer) => Write(rows, writer), HtmlFormatter.MimeType);
        Formatter.Register<List<T>>((rows, writer) => Write(rows, writer), HtmlFormatter.MimeType);
        Formatter.Register<IReadOnlyList<T>>((rows, writer) => Write(rows, writer), HtmlFormatter.MimeType);
    }

    /// <summary>An HTML table of a matrix, its shape in the caption, values to four significant digits.</summary>
    /// <param name="m">The matrix.</param>
    /// <returns>HTML.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="m"/> is null.</exception>
    public static string MatrixHtml(Matrix<float> m)
    {
        ArgumentNullException.ThrowIfNull(m);
        int rows = Math.Min(m.RowCount, MaxMatrixCells), cols = Math.Min(m.ColumnCount, MaxMatrixCells);
        bool cutColumns = cols < m.ColumnCount;
        object Row(int r) => tr(
            Enumerable.Range(0, cols).Select(c => td(m[r, c].ToString("G4", CultureInfo.InvariantCulture))),
            cutColumns ? td("…") : "");
        object more = rows < m.RowCount
            ? tr(td[colspan: (cols + (cutColumns ? 1 : 0)).ToString(CultureInfo.InvariantCulture)](string.Create(CultureInfo.InvariantCulture, $"… {m.RowCount - rows} more rows")))
            : "";
        return table[@class: "av-matrix"](
            caption(string.Create(CultureInfo.InvariantCulture, $"Matrix<float> of shape ({m.RowCount}, {m.ColumnCount})")),
            Enumerable.Range(0, rows).Select(Row),
            more).ToString();
    }

    private static string PatternHtml(Matrix<float> pattern) => GenericChart.toChartHTML(PatternChart(pattern));

    private static GenericChart PatternChart(Matrix<float> pattern) =>
        Charts.Pattern(pattern, Labels("q", pattern.RowCount), Labels("k", pattern.ColumnCount),
            string.Create(CultureInfo.InvariantCulture, $"Attention pattern: {pattern.RowCount} queries × {pattern.ColumnCount} keys"));

    private static string[] Labels(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => prefix + i.ToString(CultureInfo.InvariantCulture)).ToArray();
}
