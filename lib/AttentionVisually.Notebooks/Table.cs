using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;

namespace AttentionVisually.Notebooks;

/// <summary>
/// Rows of values shown as a plain table (one column per public property of the row type, anonymous types
/// included), the same in VS Code, the course's runner and its HTML pages.
/// </summary>
public sealed class Table
{
    private Table(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        Headers = headers;
        Rows = rows;
    }

    /// <summary>Column titles.</summary>
    public IReadOnlyList<string> Headers { get; }

    /// <summary>Cell texts, one list per row.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows { get; }

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
            rows.Select(r => (IReadOnlyList<string>)properties.Select(p => Text(p.GetValue(r))).ToArray()).ToArray());
    }

    /// <summary>The table as HTML.</summary>
    /// <returns>A <c>table</c> element.</returns>
    public string ToHtml()
    {
        var html = new StringBuilder("<table class=\"av-table\"><thead><tr>");
        foreach (var h in Headers) html.Append("<th>").Append(WebUtility.HtmlEncode(h)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in Rows)
        {
            html.Append("<tr>");
            foreach (var cell in row) html.Append("<td>").Append(WebUtility.HtmlEncode(cell)).Append("</td>");
            html.Append("</tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>The table as aligned plain text.</summary>
    /// <returns>One line per row, columns padded to their widest cell.</returns>
    public override string ToString()
    {
        var widths = Headers.Select((h, c) => Math.Max(h.Length, Rows.Select(r => r[c].Length).DefaultIfEmpty(0).Max())).ToArray();
        string Line(IReadOnlyList<string> cells) => string.Join("  ", cells.Select((s, c) => s.PadRight(widths[c]))).TrimEnd();
        var text = new StringBuilder().AppendLine(Line(Headers)).AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in Rows) text.AppendLine(Line(row));
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
