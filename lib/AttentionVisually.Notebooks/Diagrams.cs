using Microsoft.FSharp.Core;
using Plotly.NET;
using PlotlyChart = Plotly.NET.CSharp.Chart;

namespace AttentionVisually.Notebooks;

/// <summary>
/// Flow diagrams drawn as Plotly charts: boxes are layout shapes, labels and arrows are layout annotations.
/// They render wherever the course's charts do (VS Code's kernel, the executed .ipynb, the offline HTML pages,
/// which inline plotly.js), with no other script to load.
/// </summary>
/// <remarks>Every diagram carries <see cref="Meta"/> in its layout, so a page can tell diagrams from charts.</remarks>
public static class Diagrams
{
    /// <summary>The value of <c>layout.meta</c> on every diagram.</summary>
    public const string Meta = "course-diagram";

    /// <summary>Draws boxes joined by arrows.</summary>
    /// <param name="title">Diagram title.</param>
    /// <param name="boxes">The boxes; ids must be distinct.</param>
    /// <param name="arrows">Arrows between box ids, drawn from edge to edge.</param>
    /// <returns>A chart with hidden axes.</returns>
    /// <exception cref="ArgumentException">No boxes, a repeated id, or an arrow naming an unknown box.</exception>
    public static GenericChart Draw(string title, IReadOnlyList<DiagramBox> boxes, IReadOnlyList<DiagramArrow> arrows)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentNullException.ThrowIfNull(arrows);
        if (boxes.Count == 0) throw new ArgumentException("boxes is empty: a diagram needs at least one box.", nameof(boxes));
        var byId = new Dictionary<string, DiagramBox>(StringComparer.Ordinal);
        foreach (var b in boxes)
            if (!byId.TryAdd(b.Id, b)) throw new ArgumentException($"box id \"{b.Id}\" is used twice.", nameof(boxes));
        foreach (var a in arrows)
            foreach (var id in new[] { a.From, a.To })
                if (!byId.ContainsKey(id)) throw new ArgumentException($"an arrow names box \"{id}\", which does not exist.", nameof(arrows));

        var shapes = boxes.Select(b => new Dictionary<string, object>
        {
            ["type"] = "rect", ["xref"] = "x", ["yref"] = "y", ["layer"] = "below",
            ["x0"] = b.X - b.Width / 2, ["x1"] = b.X + b.Width / 2, ["y0"] = b.Y - b.Height / 2, ["y1"] = b.Y + b.Height / 2,
            ["fillcolor"] = b.Color, ["line"] = new Dictionary<string, object> { ["color"] = "#444", ["width"] = 1.5 },
        }).ToArray();
        var labels = boxes.Select(b => Note(b.X, b.Y, b.Text, 13));
        var arrowNotes = arrows.SelectMany(a => ArrowNotes(byId[a.From], byId[a.To], a.Label));
        var annotations = labels.Concat(arrowNotes).ToArray();

        double minX = boxes.Min(b => b.X - b.Width / 2) - 0.3, maxX = boxes.Max(b => b.X + b.Width / 2) + 0.3;
        double minY = boxes.Min(b => b.Y - b.Height / 2) - 0.3, maxY = boxes.Max(b => b.Y + b.Height / 2) + 0.3;
        // Invisible corner points give the chart its extent; the drawing itself is all layout.
        var frame = PlotlyChart.Point<double, double, string>(new[] { minX, maxX }, new[] { minY, maxY });
        frame = GenericChart.mapTrace(FuncConvert.FromFunc<Trace, Trace>(t =>
        {
            t.SetProperty("opacity", 0);
            t.SetProperty("hoverinfo", "skip");
            t.SetProperty("showlegend", false);
            return t;
        }), frame);
        Dictionary<string, object> Axis(double lo, double hi) => new()
        {
            ["visible"] = false, ["range"] = new[] { lo, hi }, ["fixedrange"] = true,
        };
        frame = GenericChart.mapLayout(FuncConvert.FromFunc<Layout, Layout>(l =>
        {
            l.SetProperty("shapes", shapes);
            l.SetProperty("annotations", annotations);
            l.SetProperty("xaxis", Axis(minX, maxX));
            l.SetProperty("yaxis", Axis(minY, maxY));
            l.SetProperty("meta", Meta);
            l.SetProperty("plot_bgcolor", "white");
            l.SetProperty("margin", new Dictionary<string, object> { ["t"] = 70, ["l"] = 10, ["r"] = 10, ["b"] = 10 });
            return l;
        }), frame);
        int width = (int)Math.Clamp(90 * (maxX - minX), 640, 860);
        int height = (int)Math.Clamp(width * (maxY - minY) / (maxX - minX) + 80, 300, 700);
        return Charts.Finish(frame, title, width, height);
    }

    /// <summary>One head of attention: e → q, k, v → the grid of scores → the pattern → Δe → e′ = e + Δe.</summary>
    public static GenericChart Head()
    {
        DiagramBox[] boxes =
        [
            new("e", "<b>e</b><br>embeddings<br>(n × d_model)", 0, 1, 1.9, 1.0, Stream),
            new("q", "<b>q = W_Q e</b><br>what I look for", 3, 2.2, 2.1, 0.8, Small),
            new("k", "<b>k = W_K e</b><br>what I offer", 3, 1, 2.1, 0.8, Small),
            new("v", "<b>v = W_up W_down e</b><br>what I would add", 3, -0.2, 2.4, 0.8, Small),
            new("grid", "<b>grid</b><br>q · k / √d_k<br>(n × n)", 6, 1.6, 1.8, 1.0, Small),
            new("pattern", "<b>pattern A</b><br>mask, softmax<br>each column sums to 1", 9, 1.6, 2.7, 1.0, Small),
            new("delta", "<b>Δe = Σ A v</b><br>weighted sum", 9, -0.2, 2.0, 0.8, Small),
            new("out", "<b>e′ = e + Δe</b><br>refined embeddings", 12, -0.2, 2.1, 0.9, Stream),
        ];
        DiagramArrow[] arrows =
        [
            new("e", "q", "W_Q"), new("e", "k", "W_K"), new("e", "v", "value"),
            new("q", "grid"), new("k", "grid"), new("grid", "pattern"),
            new("pattern", "delta", "weights"), new("v", "delta", "values"), new("delta", "out", "+"),
        ];
        return Draw("One head of attention, step by step", boxes, arrows);
    }

    /// <summary>One transformer block: attention then the MLP, each reading the residual stream and adding to it.</summary>
    public static GenericChart Block()
    {
        DiagramBox[] boxes =
        [
            new("in", "<b>e</b><br>token + position", 0, 0, 2.0, 0.9, Stream),
            new("add1", "<b>+</b>", 4, 0, 0.6, 0.6, Stream),
            new("add2", "<b>+</b>", 8.5, 0, 0.6, 0.6, Stream),
            new("out", "<b>e″</b><br>to the next block", 12, 0, 2.0, 0.9, Stream),
            new("attention", "layer norm →<br><b>multi-head attention</b><br>positions share information", 2.5, 1.8, 2.9, 1.1, Small),
            new("mlp", "layer norm →<br><b>MLP</b><br>each position alone", 7, 1.8, 2.6, 1.1, Mlp),
        ];
        DiagramArrow[] arrows =
        [
            new("in", "add1", "residual stream"), new("add1", "add2", "e′"), new("add2", "out"),
            new("in", "attention", "reads"), new("attention", "add1", "Δe"),
            new("add1", "mlp", "reads"), new("mlp", "add2", "Δe"),
        ];
        return Draw("One transformer block on the residual stream", boxes, arrows);
    }

    private const string Stream = "#dbe9f6", Small = "#fdf1d8", Mlp = "#e3f2df";

    private static Dictionary<string, object> Note(double x, double y, string text, int size) => new()
    {
        ["x"] = x, ["y"] = y, ["xref"] = "x", ["yref"] = "y", ["text"] = text, ["showarrow"] = false,
        ["font"] = new Dictionary<string, object> { ["size"] = size },
    };

    private static IEnumerable<Dictionary<string, object>> ArrowNotes(DiagramBox from, DiagramBox to, string label)
    {
        var (x0, y0) = Edge(from, to.X - from.X, to.Y - from.Y);
        var (x1, y1) = Edge(to, from.X - to.X, from.Y - to.Y);
        yield return new Dictionary<string, object>
        {
            ["x"] = x1, ["y"] = y1, ["ax"] = x0, ["ay"] = y0, ["xref"] = "x", ["yref"] = "y", ["axref"] = "x", ["ayref"] = "y",
            ["showarrow"] = true, ["arrowhead"] = 3, ["arrowsize"] = 1.2, ["arrowwidth"] = 1.6, ["arrowcolor"] = "#444", ["text"] = "",
        };
        if (label.Length > 0)
        {
            var note = Note((x0 + x1) / 2, (y0 + y1) / 2 + 0.15, $"<i>{label}</i>", 11);
            note["bgcolor"] = "white";
            yield return note;
        }
    }

    // Where the ray from the box's centre in direction (dx, dy) leaves the box.
    private static (double X, double Y) Edge(DiagramBox b, double dx, double dy)
    {
        double tx = dx == 0 ? double.PositiveInfinity : b.Width / 2 / Math.Abs(dx);
        double ty = dy == 0 ? double.PositiveInfinity : b.Height / 2 / Math.Abs(dy);
        double t = Math.Min(tx, ty);
        return (b.X + t * dx, b.Y + t * dy);
    }
}

/// <summary>A box of a diagram.</summary>
/// <param name="Id">Name the arrows use.</param>
/// <param name="Text">Label (Plotly's HTML subset: &lt;b&gt;, &lt;i&gt;, &lt;br&gt;).</param>
/// <param name="X">Centre, x.</param>
/// <param name="Y">Centre, y.</param>
/// <param name="Width">Width in plot units.</param>
/// <param name="Height">Height in plot units.</param>
/// <param name="Color">Fill colour.</param>
public sealed record DiagramBox(string Id, string Text, double X, double Y, double Width, double Height, string Color);

/// <summary>An arrow of a diagram, between two boxes.</summary>
/// <param name="From">Id of the start box.</param>
/// <param name="To">Id of the end box.</param>
/// <param name="Label">Text beside the arrow, or empty.</param>
public sealed record DiagramArrow(string From, string To, string Label = "");
