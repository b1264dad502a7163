using MathNet.Numerics.LinearAlgebra;
using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.CSharp;
using PlotlyChart = Plotly.NET.CSharp.Chart;

namespace AttentionVisually.Notebooks;

/// <summary>
/// The course's charts (Plotly.NET): every chart has a title and labelled axes, heatmaps carry token labels,
/// and every attention pattern in the course uses the same colour scale from 0 to 1.
/// </summary>
/// <remarks>
/// Attention patterns are drawn as in 3Blue1Brown's chapter: keys down the side (rows), queries along the
/// top (columns), so each column is one query's weights and sums to 1.
/// </remarks>
public static class Charts
{
    /// <summary>The one colour scale used for attention weights across the course.</summary>
    public static StyleParam.Colorscale AttentionScale => StyleParam.Colorscale.Viridis;

    /// <summary>The colour scale for raw scores, which can be negative (centred on zero).</summary>
    public static StyleParam.Colorscale ScoreScale => StyleParam.Colorscale.RdBu;

    /// <summary>An attention pattern in the video's view: keys as rows, queries as columns, weights 0 to 1.</summary>
    /// <param name="pattern">The pattern, shape (numQueries, numKeys), as the library returns it.</param>
    /// <param name="queryTokens">Labels of the queries (numQueries).</param>
    /// <param name="keyTokens">Labels of the keys (numKeys).</param>
    /// <param name="title">Chart title.</param>
    /// <param name="mask">Optional mask, shape (numQueries, numKeys): cells it hides are left blank, not drawn as zeros.</param>
    /// <returns>A heatmap.</returns>
    /// <exception cref="ArgumentException">The label counts or the mask do not match the pattern.</exception>
    public static GenericChart Pattern(Matrix<float> pattern, IReadOnlyList<string> queryTokens, IReadOnlyList<string> keyTokens, string title,
        Mask? mask = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        CheckLabels(queryTokens, pattern.RowCount, nameof(queryTokens));
        CheckLabels(keyTokens, pattern.ColumnCount, nameof(keyTokens));
        var keysByQueries = Attention.KeysByQueries(Blank(pattern, mask)); // (numKeys, numQueries)
        return HeatmapCore(keysByQueries, queryTokens, keyTokens, title, "query", "key", AttentionScale, 0, 1);
    }

    /// <summary>A heatmap of any grid, for example raw query–key scores.</summary>
    /// <param name="z">Values, shape (rows, columns).</param>
    /// <param name="columnLabels">One label per column (x axis).</param>
    /// <param name="rowLabels">One label per row (y axis, first row at the top).</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">Title of the x axis.</param>
    /// <param name="yTitle">Title of the y axis.</param>
    /// <returns>A heatmap with a colour scale centred on zero.</returns>
    /// <exception cref="ArgumentException">The label counts do not match the grid.</exception>
    public static GenericChart Heatmap(Matrix<float> z, IReadOnlyList<string> columnLabels, IReadOnlyList<string> rowLabels, string title, string xTitle, string yTitle)
    {
        ArgumentNullException.ThrowIfNull(z);
        CheckLabels(columnLabels, z.ColumnCount, nameof(columnLabels));
        CheckLabels(rowLabels, z.RowCount, nameof(rowLabels));
        double max = Math.Max(1e-9, z.Enumerate().Where(float.IsFinite).Select(x => Math.Abs((double)x)).DefaultIfEmpty(1).Max());
        return HeatmapCore(z, columnLabels, rowLabels, title, xTitle, yTitle, ScoreScale, -max, max);
    }

    /// <summary>Several attention patterns side by side (one per head, say), on the shared colour scale.</summary>
    /// <param name="patterns">Patterns, each (numQueries, numKeys).</param>
    /// <param name="subtitles">One title per pattern.</param>
    /// <param name="queryTokens">Query labels.</param>
    /// <param name="keyTokens">Key labels.</param>
    /// <param name="title">Overall title.</param>
    /// <param name="columns">Patterns per row of the grid.</param>
    /// <param name="mask">Optional mask shared by the patterns: cells it hides are left blank, not drawn as zeros.</param>
    /// <returns>A grid of heatmaps.</returns>
    /// <exception cref="ArgumentException">Counts or the mask do not match.</exception>
    public static GenericChart PatternGrid(IReadOnlyList<Matrix<float>> patterns, IReadOnlyList<string> subtitles,
        IReadOnlyList<string> queryTokens, IReadOnlyList<string> keyTokens, string title, int columns = 3, Mask? mask = null)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        ArgumentNullException.ThrowIfNull(subtitles);
        if (patterns.Count == 0 || patterns.Count != subtitles.Count)
            throw new ArgumentException($"patterns has {patterns.Count} entries and subtitles {subtitles.Count}; they must match and not be empty.", nameof(subtitles));
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        int rows = (patterns.Count + columns - 1) / columns;
        var charts = patterns.Select((p, i) =>
        {
            CheckLabels(queryTokens, p.RowCount, nameof(queryTokens));
            CheckLabels(keyTokens, p.ColumnCount, nameof(keyTokens));
            var shown = Attention.KeysByQueries(Blank(p, mask)); // (numKeys, numQueries)
            return HeatmapCore(shown, queryTokens, keyTokens, subtitles[i], "query", i % columns == 0 ? "key" : "", AttentionScale, 0, 1,
                showScale: i == 0, columnsOnTop: false);
        }).ToArray();
        var grid = PlotlyChart.Grid(charts, rows, columns, SubPlotTitles: subtitles.ToArray(), YGap: 0.3, XGap: 0.15);
        grid = GenericChart.mapLayout(FuncConvert.FromFunc<Layout, Layout>(l =>
        {
            l.SetProperty("margin", new Dictionary<string, object> { ["t"] = 110, ["l"] = 90, ["b"] = 60 });
            return l;
        }), grid);
        return Finish(grid, title, Math.Max(360 * columns, 680), 330 * rows + 170);
    }

    /// <summary>
    /// Many patterns in one chart with a dropdown to pick which one is shown (every layer and head of a
    /// model, say), all on the shared colour scale.
    /// </summary>
    /// <param name="patterns">Patterns, each (numQueries, numKeys).</param>
    /// <param name="names">One dropdown entry per pattern.</param>
    /// <param name="queryTokens">Query labels.</param>
    /// <param name="keyTokens">Key labels.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="initial">Index of the pattern shown first.</param>
    /// <returns>A heatmap with a dropdown menu.</returns>
    /// <exception cref="ArgumentException">Counts do not match, or <paramref name="initial"/> is out of range.</exception>
    public static GenericChart PatternExplorer(IReadOnlyList<Matrix<float>> patterns, IReadOnlyList<string> names, IReadOnlyList<string> queryTokens, IReadOnlyList<string> keyTokens, string title, int initial = 0)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        ArgumentNullException.ThrowIfNull(names);
        if (patterns.Count == 0 || patterns.Count != names.Count)
            throw new ArgumentException($"patterns has {patterns.Count} entries and names {names.Count}; they must match and not be empty.", nameof(names));
        if (initial < 0 || initial >= patterns.Count)
            throw new ArgumentException($"initial is {initial} but there are {patterns.Count} patterns.", nameof(initial));
        var traces = patterns.Select((p, i) =>
        {
            CheckLabels(queryTokens, p.RowCount, nameof(queryTokens));
            CheckLabels(keyTokens, p.ColumnCount, nameof(keyTokens));
            var chart = HeatmapCore(Attention.KeysByQueries(p), queryTokens, keyTokens, names[i], "query", "key", AttentionScale, 0, 1);
            return GenericChart.mapTrace(FuncConvert.FromFunc<Trace, Trace>(t => { t.SetProperty("visible", i == initial); t.SetProperty("name", names[i]); return t; }), chart);
        }).ToArray();
        var combined = PlotlyChart.Combine(traces);
        var buttons = names.Select((n, i) => new Dictionary<string, object>
        {
            ["label"] = n,
            ["method"] = "update",
            ["args"] = new object[] { new Dictionary<string, object> { ["visible"] = names.Select((_, j) => j == i).ToArray() }, new Dictionary<string, object> { ["title.text"] = $"{title}: {n}" } },
        }).ToArray();
        var menu = new Dictionary<string, object>
        {
            // Below the plot: the title and the column labels take the space above it.
            ["buttons"] = buttons, ["active"] = initial, ["direction"] = "up", ["x"] = 0.0, ["xanchor"] = "left", ["y"] = -0.04, ["yanchor"] = "top",
        };
        combined = GenericChart.mapLayout(FuncConvert.FromFunc<Layout, Layout>(l =>
        {
            l.SetProperty("updatemenus", new[] { menu });
            l.SetProperty("margin", new Dictionary<string, object> { ["t"] = 150, ["l"] = 110, ["b"] = 80 });
            return l;
        }), combined);
        int size = Math.Clamp(60 + 44 * Math.Max(queryTokens.Count, keyTokens.Count), 420, 760);
        return Finish(combined, $"{title}: {names[initial]}", Math.Max(size + 160, 680), size + 170);
    }

    /// <summary>
    /// Every head of a model at once, like bertviz's model view: one row per layer, one column per head, each
    /// cell the head's pattern on the same tokens (hover shows the query and key tokens and the weight). Pair it
    /// with <see cref="PatternExplorer"/> to enlarge one head.
    /// </summary>
    /// <param name="patterns">patterns[layer][head], each (seqLen, seqLen).</param>
    /// <param name="tokens">The seqLen tokens, queries and keys alike.</param>
    /// <param name="title">Chart title.</param>
    /// <returns>A layer × head grid of heatmaps.</returns>
    /// <exception cref="ArgumentException">No layers, layers with different head counts, or labels that do not match the patterns.</exception>
    public static GenericChart ModelView(IReadOnlyList<IReadOnlyList<Matrix<float>>> patterns, IReadOnlyList<string> tokens, string title)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        if (patterns.Count == 0 || patterns.Any(l => l.Count == 0 || l.Count != patterns[0].Count))
            throw new ArgumentException($"patterns has {patterns.Count} layers with head counts ({string.Join(", ", patterns.Select(l => l.Count))}); every layer needs the same, non-zero, number of heads.", nameof(patterns));
        var all = patterns.SelectMany(l => l).ToArray();
        var names = patterns.SelectMany((l, layer) => l.Select((_, head) => $"L{layer} H{head}")).ToArray();
        return PatternGrid(all, names, tokens, tokens, title, columns: patterns[0].Count);
    }

    /// <summary>One or more lines.</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">Title of the x axis.</param>
    /// <param name="yTitle">Title of the y axis.</param>
    /// <param name="series">The lines.</param>
    /// <param name="logX">Logarithmic x axis.</param>
    /// <param name="logY">Logarithmic y axis.</param>
    /// <returns>A line chart.</returns>
    /// <exception cref="ArgumentException">No series, or a series whose x and y lengths differ.</exception>
    public static GenericChart Lines(string title, string xTitle, string yTitle, IReadOnlyList<Series> series, bool logX = false, bool logY = false)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0) throw new ArgumentException("series is empty: a chart needs at least one line.", nameof(series));
        foreach (var s in series)
            if (s.X.Count != s.Y.Count) throw new ArgumentException($"series \"{s.Name}\" has {s.X.Count} x values and {s.Y.Count} y values.", nameof(series));
        var chart = PlotlyChart.Combine(series.Select(s => PlotlyChart.Line<double, double, string>(s.X, s.Y, Name: s.Name, ShowMarkers: true)).ToArray());
        chart = chart.WithXAxisStyle<double, double, string>(TitleText: xTitle, AxisType: logX ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear)
                     .WithYAxisStyle<double, double, string>(TitleText: yTitle, AxisType: logY ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear);
        return Finish(chart, title, 720, 440);
    }

    /// <summary>Vertical bars, one per label.</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">Title of the x axis (the categories).</param>
    /// <param name="yTitle">Title of the y axis (the values).</param>
    /// <param name="labels">One label per bar.</param>
    /// <param name="values">One value per bar.</param>
    /// <param name="logY">Logarithmic y axis.</param>
    /// <returns>A bar chart.</returns>
    /// <exception cref="ArgumentException">Counts differ or are zero.</exception>
    public static GenericChart Bars(string title, string xTitle, string yTitle, IReadOnlyList<string> labels, IReadOnlyList<double> values, bool logY = false)
    {
        CheckLabels(labels, values?.Count ?? 0, nameof(labels));
        var chart = PlotlyChart.Column<double, string, string>(values!, Keys: UniqueLabels(labels).ToArray())
            .WithXAxisStyle<double, double, string>(TitleText: xTitle)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle, AxisType: logY ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear);
        return Finish(chart, title, 720, 440);
    }

    /// <summary>Grouped bars: several series over the same categories (before/after, say).</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">Title of the x axis.</param>
    /// <param name="yTitle">Title of the y axis.</param>
    /// <param name="labels">The categories.</param>
    /// <param name="series">Each series has one value per category, in <see cref="Series.Y"/>.</param>
    /// <returns>A grouped bar chart.</returns>
    /// <exception cref="ArgumentException">Counts differ.</exception>
    public static GenericChart GroupedBars(string title, string xTitle, string yTitle, IReadOnlyList<string> labels, IReadOnlyList<Series> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0) throw new ArgumentException("series is empty.", nameof(series));
        foreach (var s in series) CheckLabels(labels, s.Y.Count, nameof(labels));
        var keys = UniqueLabels(labels).ToArray();
        var chart = PlotlyChart.Combine(series.Select(s => PlotlyChart.Column<double, string, string>(s.Y, Keys: keys, Name: s.Name)).ToArray())
            .WithXAxisStyle<double, double, string>(TitleText: xTitle)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle);
        return Finish(chart, title, 760, 440);
    }

    /// <summary>Labelled points in the plane (a 2-D view of embeddings, say).</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">Title of the x axis.</param>
    /// <param name="yTitle">Title of the y axis.</param>
    /// <param name="labels">One label per point.</param>
    /// <param name="x">x coordinates.</param>
    /// <param name="y">y coordinates.</param>
    /// <returns>A scatter chart with text labels.</returns>
    /// <exception cref="ArgumentException">Counts differ.</exception>
    public static GenericChart Points(string title, string xTitle, string yTitle, IReadOnlyList<string> labels, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        CheckLabels(labels, x?.Count ?? 0, nameof(labels));
        CheckLabels(labels, y?.Count ?? 0, nameof(labels));
        var chart = PlotlyChart.Scatter<double, double, string>(x!, y!, StyleParam.Mode.Markers_Text, MultiText: labels.ToArray(), TextPosition: StyleParam.TextPosition.TopCenter)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle);
        return Finish(chart, title, 720, 520);
    }

    /// <summary>Arrows in a plane, one per move (a word's embedding before and after context, say), labelled at both ends.</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">Title of the x axis.</param>
    /// <param name="yTitle">Title of the y axis.</param>
    /// <param name="moves">The arrows; a point shared by several moves is drawn once.</param>
    /// <returns>A scatter chart with arrow annotations.</returns>
    /// <exception cref="ArgumentException">No moves, or a coordinate that is not finite.</exception>
    public static GenericChart Arrows(string title, string xTitle, string yTitle, IReadOnlyList<Move> moves)
    {
        ArgumentNullException.ThrowIfNull(moves);
        if (moves.Count == 0) throw new ArgumentException("moves is empty: a chart needs at least one arrow.", nameof(moves));
        foreach (var m in moves)
            if (!new[] { m.FromX, m.FromY, m.ToX, m.ToY }.All(double.IsFinite))
                throw new ArgumentException($"move \"{m.ToLabel}\" has a coordinate that is not finite.", nameof(moves));
        var points = moves.Select(m => (m.FromLabel, m.FromX, m.FromY))
            .Concat(moves.Select(m => (FromLabel: m.ToLabel, FromX: m.ToX, FromY: m.ToY))).Distinct().ToArray();
        double[] xs = points.Select(p => p.FromX).ToArray(), ys = points.Select(p => p.FromY).ToArray();
        // Room around the points, so that labels at the edges are not cut off.
        Tuple<double, double> Padded(double[] v)
        {
            double pad = Math.Max(0.15 * (v.Max() - v.Min()), 0.3);
            return Tuple.Create(v.Min() - pad, v.Max() + pad);
        }
        var chart = PlotlyChart.Scatter<double, double, string>(xs, ys, StyleParam.Mode.Markers_Text,
                MultiText: points.Select(p => p.FromLabel).ToArray(), TextPosition: StyleParam.TextPosition.TopCenter)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle, MinMax: Padded(xs))
            .WithYAxisStyle<double, double, string>(TitleText: yTitle, MinMax: Padded(ys));
        chart = Finish(chart, title, 720, 520);
        var arrows = moves.Select(m => new Dictionary<string, object>
        {
            ["x"] = m.ToX, ["y"] = m.ToY, ["ax"] = m.FromX, ["ay"] = m.FromY, ["xref"] = "x", ["yref"] = "y", ["axref"] = "x", ["ayref"] = "y",
            ["showarrow"] = true, ["arrowhead"] = 3, ["arrowsize"] = 1.5, ["arrowwidth"] = 2, ["text"] = "",
        }).ToArray();
        return GenericChart.mapLayout(FuncConvert.FromFunc<Layout, Layout>(l => { l.SetProperty("annotations", arrows); return l; }), chart);
    }

    /// <summary>Shares of a whole as one picture (a pie), each slice labelled with its percentage.</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="labels">One label per part.</param>
    /// <param name="values">One non-negative value per part.</param>
    /// <returns>A pie chart.</returns>
    /// <exception cref="ArgumentException">Counts differ, or a value is negative or not finite.</exception>
    public static GenericChart Shares(string title, IReadOnlyList<string> labels, IReadOnlyList<double> values)
    {
        CheckLabels(labels, values?.Count ?? 0, nameof(labels));
        if (values!.Any(v => !double.IsFinite(v) || v < 0)) throw new ArgumentException("values must be finite and not negative.", nameof(values));
        var chart = PlotlyChart.Pie<double, string, string>(values!, Labels: labels.ToArray(), Sort: false);
        chart = GenericChart.mapTrace(FuncConvert.FromFunc<Trace, Trace>(t => { t.SetProperty("textinfo", "label+percent"); return t; }), chart);
        return Finish(chart, title, 720, 480);
    }

    /// <summary>Makes repeated labels distinct (Plotly merges equal category labels) by appending invisible marks.</summary>
    /// <param name="labels">Labels, possibly repeated.</param>
    /// <returns>Labels that look the same but are all different.</returns>
    public static IReadOnlyList<string> UniqueLabels(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        return labels.Select(l =>
        {
            seen[l] = seen.TryGetValue(l, out int n) ? n + 1 : 0;
            return l + new string('\u200B', seen[l]);
        }).ToArray();
    }

    private static GenericChart HeatmapCore(Matrix<float> z, IReadOnlyList<string> x, IReadOnlyList<string> y, string title, string xTitle, string yTitle,
        StyleParam.Colorscale scale, double zMin, double zMax, bool showScale = true, bool columnsOnTop = true)
    {
        var rows = Enumerable.Range(0, z.RowCount)
            .Select(r => Enumerable.Range(0, z.ColumnCount).Select(c => float.IsFinite(z[r, c]) ? z[r, c] : double.NaN).ToArray())
            .ToArray();
        var chart = PlotlyChart.Heatmap<double, string, string, string>(rows, X: UniqueLabels(x).ToArray(), Y: UniqueLabels(y).ToArray(),
                ColorScale: scale, ReverseYAxis: true, ShowScale: showScale)
            // Columns are labelled along the top, as in the video's grids (and as a table reads).
            .WithXAxisStyle<double, double, string>(TitleText: xTitle, Side: columnsOnTop ? StyleParam.Side.Top : StyleParam.Side.Bottom)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle);
        chart = GenericChart.mapTrace(FuncConvert.FromFunc<Trace, Trace>(t =>
        {
            t.SetProperty("zmin", zMin);
            t.SetProperty("zmax", zMax);
            return t;
        }), chart);
        // Room above the plot for the title and the column labels along the top.
        chart = GenericChart.mapLayout(FuncConvert.FromFunc<Layout, Layout>(l =>
        {
            l.SetProperty("margin", new Dictionary<string, object> { ["t"] = 150, ["l"] = 110 });
            return l;
        }), chart);
        int size = Math.Clamp(60 + 44 * Math.Max(z.RowCount, z.ColumnCount), 380, 760);
        return Finish(chart, title, Math.Max(size + 160, 680), size + 90);
    }

    // A cell the mask hides becomes NaN, which the heatmap leaves blank.
    private static Matrix<float> Blank(Matrix<float> pattern, Mask? mask)
    {
        mask?.CheckFits(pattern.RowCount, pattern.ColumnCount, nameof(mask));
        return mask is null ? pattern : pattern.MapIndexed((i, j, w) => mask[i, j] ? w : float.NaN);
    }

    internal static GenericChart Finish(GenericChart chart, string title, int width, int height)
    {
        if (string.IsNullOrWhiteSpace(title)) throw new ArgumentException("every chart needs a title.", nameof(title));
        return Plotly.NET.Chart.withTitle(title, null).Invoke(chart).WithSize(width, height);
    }

    private static void CheckLabels(IReadOnlyList<string> labels, int expected, string name)
    {
        ArgumentNullException.ThrowIfNull(labels, name);
        if (labels.Count != expected || expected == 0)
            throw new ArgumentException($"{name} has {labels.Count} labels but the data has {expected} entries.", name);
    }
}

/// <summary>One named line or bar series.</summary>
/// <param name="Name">Legend entry.</param>
/// <param name="X">x values (ignored by grouped bars).</param>
/// <param name="Y">y values.</param>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>One arrow of <see cref="Charts.Arrows"/>: from a labelled point to another.</summary>
/// <param name="FromLabel">Label of the start.</param>
/// <param name="FromX">x of the start.</param>
/// <param name="FromY">y of the start.</param>
/// <param name="ToLabel">Label of the end.</param>
/// <param name="ToX">x of the end.</param>
/// <param name="ToY">y of the end.</param>
public sealed record Move(string FromLabel, double FromX, double FromY, string ToLabel, double ToX, double ToY);
