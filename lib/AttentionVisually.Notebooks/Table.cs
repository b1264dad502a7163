using System.Globalization;
using System.Reflection;
using System.Text;
using static Microsoft.DotNet.Interactive.Formatting.PocketViewTags;

namespace AttentionVisually.Notebooks;

/// <summary>
/// Rows of values shown as a plain table (one column per public property of the row type, anonymous types
/// included), the same in VS Code, the course's runner and its HTML pages. The course's one table of texts:
/// <see cref="NotebookFormatters.RegisterTable{T}"/> shows its row types through it too.
/// </summary>
/// <remarks>
/// The HTML is written with .NET Interactive's PocketView (which encodes every text), as the runner writes its index.
/// </remarks>
public sealed class Table
{
    private Table(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, IReadOnlyList<string>? footer)
    {
        Headers = headers;
        Rows = rows;
        Footer = footer;
    }

    /// <summary>Column titles.</summary>
    public IReadOnlyList<string> Headers { get; }

    /// <summary>Cell texts, one list per row.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows { get; }

    /// <summary>Texts of a closing row that sums the others up, or null for none.</summary>
    public IReadOnlyList<string>? Footer { get; }

    /// <summary>A table of texts already written.</summary>
    /// <param name="headers">Column titles.</param>
    /// <param name="rows">Cell texts, one list per row, one text per column.</param>
    /// <param name="footer">Texts of a closing row, one per column, or null for none.</param>
    /// <returns>The table.</returns>
    /// <exception cref="ArgumentException">No headers, or a row or the footer has another number of texts than there are columns.</exception>
    internal static Table From(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, IReadOnlyList<string>? footer = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        if (headers.Count == 0) throw new ArgumentException("a table needs at least one column.", nameof(headers));
        var all = rows.ToArray();
        for (int r = 0; r < all.Length; r++)
        {
            if (all[r].Count != headers.Count)
                throw new ArgumentException($"row {r} has {all[r].Count} cells but the table has {headers.Count} columns.", nameof(rows));
        }
        if (footer is not null && footer.Count != headers.Count)
            throw new ArgumentException($"the footer has {footer.Count} cells but the table has {headers.Count} columns.", nameof(footer));
        return new Table(headers, all, footer);
    }

    /// <summary>Builds a table from rows; numbers are written with invariant culture (integers with thousands separators).</summary>
    /// <typeparam name="T">Row type; its public instance properties become the columns, in declaration order.</typeparam>
    /// <param name="rows">The rows.</param>
    /// <returns>The table.</returns>
    /// <exception cref="ArgumentException">The row type has no public properties.</exception>
    public static Table Of<T>(IEnumerable<T> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToArray();
        if (properties.Length == 0) throw new ArgumentException($"{typeof(T).Name} has no public properties to show as columns.", nameof(rows));
        return new Table(properties.Select(p => p.Name).ToArray(),
            rows.Select(r => (IReadOnlyList<string>)properties.Select(p => Text(p.GetValue(r))).ToArray()).ToArray(), null);
    }

    /// <summary>The table as HTML.</summary>
    /// <returns>A <c>table</c> element: titles in <c>thead</c>, rows in <c>tbody</c>, the footer in <c>tfoot</c>.</returns>
    public string ToHtml()
    {
        object foot = Footer is null ? "" : tfoot(tr(Footer.Select(text => th(text))));
        return table[@class: "av-table"](
            thead(tr(Headers.Select(text => th(text)))),
            tbody(Rows.Select(row => tr(row.Select(text => td(text))))),
            foot).ToString();
    }

    /// <summary>The table as aligned plain text.</summary>
    /// <returns>One line per row, columns padded to their widest cell.</returns>
    public override string ToString()
    {
        var all = Footer is null ? Rows : [.. Rows, Footer];
        var widths = Headers.Select((h, c) => Math.Max(h.Length, all.Select(r => r[c].Length).DefaultIfEmpty(0).Max())).ToArray();
        string Line(IReadOnlyList<string> cells) => string.Join("  ", cells.Select((s, c) => s.PadRight(widths[c]))).TrimEnd();
        string rule = string.Join("  ", widths.Select(w => new string('-', w)));
        var text = new StringBuilder().AppendLine(Line(Headers)).AppendLine(rule);
        foreach (var row in Rows) text.AppendLine(Line(row));
        if (Footer is not null) text.AppendLine(rule).AppendLine(Line(Footer));
        return text.ToString().TrimEnd();
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        int or long or short => ((IFormattable)value).ToString("N0", CultureInfo.InvariantCulture),
        double d => d.ToString("G5", CultureInfo.InvariantCulture),
        float f => f.ToString("G5", CultureInfo.InvariantCulture),
        bool b => b ? "yes" : "no",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

/// <summary>Shows a sequence as a <see cref="Table"/>.</summary>
public static class TableExtensions
{
    /// <summary>Shows rows as a table with one column per public property.</summary>
    /// <typeparam name="T">Row type (anonymous types work).</typeparam>
    /// <param name="rows">The rows.</param>
    /// <returns>The table.</returns>
    public static Table ToTable<T>(this IEnumerable<T> rows) => Table.Of(rows);
}
