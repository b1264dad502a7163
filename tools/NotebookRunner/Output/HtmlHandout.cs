using System.Globalization;
using System.Net;
using System.Text;
using ColorCode;
using Markdig;
using NotebookRunner.Execution;

namespace NotebookRunner.Output;

/// <summary>
/// A standalone HTML page of an executed chapter, to read without VS Code: rendered markdown (Markdig),
/// highlighted code (ColorCode), every output, and interactive Plotly charts that draw with no network
/// (plotly.js inlined once in the page, see <see cref="PlotlyScript"/> and <see cref="PlotlyHtml"/>).
/// </summary>
internal static class HtmlHandout
{
    private static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();
    // ColorCode's formatter writes through a writer of its own and is not thread-safe; chapters are written two at
    // a time (--jobs), so each thread has its own.
    private static readonly ThreadLocal<HtmlClassFormatter> Formatter = new(() => new HtmlClassFormatter());

    private static HtmlClassFormatter Code => Formatter.Value!;

    /// <summary>Writes the page.</summary>
    /// <param name="chapter">The chapter's result (possibly partial).</param>
    /// <param name="path">Target .html path.</param>
    /// <param name="folded">Cells whose code is folded away as a reference solution (the instructor's edition); null: none.</param>
    /// <returns>The number of charts on the page.</returns>
    public static int Write(ChapterResult chapter, string path, IReadOnlySet<int>? folded = null)
    {
        int charts = 0;
        var body = new StringBuilder();
        foreach (var cell in chapter.Cells)
        {
            if (cell.Status == CellStatus.Markdown)
            {
                body.Append("<section class=\"md\">").Append(Markdig.Markdown.ToHtml(SafeText.Clean(cell.Cell.Code), Markdown)).Append("</section>\n");
                continue;
            }
            string status = cell.Status.ToString().ToLowerInvariant();
            body.Append(CultureInfo.InvariantCulture, $"<section class=\"cell {status}\" id=\"cell-{cell.Cell.Number}\">");
            body.Append(CultureInfo.InvariantCulture, $"<div class=\"head\"><span>cell {cell.Cell.Number}</span><span class=\"badge\">{Label(cell.Status)}</span>");
            if (cell.Status is CellStatus.Passed or CellStatus.Failed or CellStatus.TimedOut)
                body.Append(CultureInfo.InvariantCulture, $"<span class=\"time\">{cell.Duration.TotalSeconds:0.00} s</span>");
            body.Append("</div>");
            if (folded?.Contains(cell.Cell.Number) == true)
                body.Append("<details class=\"solution\"><summary>reference solution</summary>").Append(Highlight(cell.Cell.Code, cell.Cell.KernelName)).Append("</details>");
            else
                body.Append(Highlight(cell.Cell.Code, cell.Cell.KernelName));
            if (cell.Outputs.Count > 0)
            {
                // The shared set-up's messages (packages installed, extensions loaded) fold away unless it failed.
                bool fold = cell.Status == CellStatus.Passed && cell.Cell.Code.TrimStart().StartsWith("#!import", StringComparison.Ordinal);
                body.Append(fold ? "<details class=\"outputs\"><summary>set-up output</summary>" : "<div class=\"outputs\">");
                foreach (var output in cell.Outputs) body.Append(RenderOutput(output, ref charts));
                body.Append(fold ? "</details>" : "</div>");
            }
            body.Append("</section>\n");
        }

        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        page.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        page.Append(CultureInfo.InvariantCulture, $"<title>{Encode(chapter.Name)} · Attention, Visually</title>\n");
        page.Append("<style>\n").Append(Style).Append(Code.GetCSSString()).Append("\n</style>\n");
        if (charts > 0)
        {
            // plotly.js is inlined so the page draws its charts with no network; "</script" cannot occur in it.
            page.Append("<script type=\"text/javascript\">\n").Append(PlotlyScript.Source.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)).Append("\n</script>\n");
            page.Append("<script type=\"text/javascript\">").Append(PlotlyHtml.RequireShim).Append("</script>\n");
        }
        page.Append("</head>\n<body>\n<main>\n");
        page.Append(CultureInfo.InvariantCulture, $"<nav><a href=\"index.html\">All chapters</a> · <code>{Encode(chapter.Name)}.dib</code> · {Summary(chapter)}</nav>\n");
        if (chapter.ChapterError is not null)
            page.Append("<pre class=\"error\">").Append(Encode(chapter.ChapterError)).Append("</pre>\n");
        if (chapter.ProcessOutput.Text is { Length: > 0 } processOutput)
            page.Append("<details class=\"outputs\"><summary>written by the kernel process outside any cell</summary><pre class=\"stderr\">").Append(Encode(processOutput)).Append("</pre></details>\n");
        page.Append(body);
        page.Append("</main>\n</body>\n</html>\n");

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, page.ToString(), new UTF8Encoding(false));
        return charts;
    }

    /// <summary>One line: how many code cells passed and the chapter's time.</summary>
    /// <param name="chapter">The chapter.</param>
    /// <returns>Plain text.</returns>
    public static string Summary(ChapterResult chapter)
    {
        var code = chapter.CodeCells.ToList();
        int passed = code.Count(c => c.Status == CellStatus.Passed);
        return string.Create(CultureInfo.InvariantCulture, $"{passed} of {code.Count} code cells passed · {chapter.Duration.TotalSeconds:0.0} s");
    }

    private static string Label(CellStatus status) => status switch
    {
        CellStatus.Passed => "ok",
        CellStatus.Failed => "failed",
        CellStatus.TimedOut => "timed out",
        _ => "not run",
    };

    private static string Highlight(string code, string kernel)
    {
        var language = kernel switch
        {
            "csharp" => Languages.CSharp,
            "html" => Languages.Html,
            _ => null,
        };
        return language is null ? $"<pre class=\"plain\">{Encode(code)}</pre>" : Code.GetHtmlString(SafeText.Clean(code), language);
    }

    private static string RenderOutput(CellOutput output, ref int charts)
    {
        switch (output.Kind)
        {
            case "stdout":
            case "stderr":
                return $"<pre class=\"{output.Kind}\">{Encode(output.Text ?? "")}</pre>";
            case "error":
                return $"<pre class=\"error\">{Encode(output.Text ?? "")}</pre>";
        }
        var data = output.Data;
        if (data.TryGetValue("text/html", out var html))
        {
            if (PlotlyHtml.HasChart(html))
            {
                html = PlotlyHtml.Rewrite(html, out int n);
                charts += n;
            }
            return $"<div class=\"display\">{SafeText.Clean(html)}</div>";
        }
        if (data.TryGetValue("image/svg+xml", out var svg)) return $"<div class=\"display\">{SafeText.Clean(svg)}</div>";
        if (data.TryGetValue("image/png", out var png)) return $"<div class=\"display\"><img alt=\"output\" src=\"data:image/png;base64,{WebUtility.HtmlEncode(png)}\"></div>";
        if (data.TryGetValue("text/markdown", out var md)) return $"<div class=\"display md\">{Markdig.Markdown.ToHtml(SafeText.Clean(md), Markdown)}</div>";
        if (data.TryGetValue("text/plain", out var text)) return $"<pre class=\"display\">{Encode(text)}</pre>";
        var first = data.FirstOrDefault();
        return first.Key is null ? "" : $"<pre class=\"display\">{Encode(first.Value)}</pre>";
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(SafeText.Clean(text));

    private const string Style = """
        body { margin: 0; background: #fafafa; color: #1f2328; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; }
        main { max-width: 980px; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
        nav { font-size: .9rem; color: #57606a; margin-bottom: 1rem; }
        section.md { margin: 1.25rem 0; }
        section.md table { border-collapse: collapse; }
        section.md th, section.md td { border: 1px solid #d0d7de; padding: .25rem .6rem; }
        section.cell { background: #fff; border: 1px solid #d0d7de; border-left: 4px solid #2da44e; border-radius: 6px; margin: 1rem 0; overflow: hidden; }
        section.cell.failed, section.cell.timedout { border-left-color: #cf222e; }
        section.cell.notrun { border-left-color: #8c959f; opacity: .6; }
        .head { display: flex; gap: .75rem; font-size: .78rem; color: #57606a; padding: .3rem .75rem; background: #f6f8fa; border-bottom: 1px solid #d0d7de; }
        .head .badge { font-weight: 600; }
        .failed .head .badge, .timedout .head .badge { color: #cf222e; }
        pre { margin: 0; padding: .6rem .75rem; overflow-x: auto; font: 13.5px/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
        section.cell > div > pre, section.cell > pre.plain { background: #fff; }
        .outputs { border-top: 1px dashed #d0d7de; padding: .25rem 0; }
        details.solution summary { font-size: .85rem; color: #8250df; padding: .3rem .75rem; cursor: pointer; }
        details.outputs summary { font-size: .8rem; color: #57606a; padding: .2rem .75rem; cursor: pointer; }
        .outputs .display { padding: .4rem .75rem; overflow-x: auto; }
        pre.stdout { color: #24292f; }
        pre.stderr, pre.error { color: #a40e26; background: #fff5f5; white-space: pre-wrap; }
        .plotly-chart { margin: .25rem 0; }

        """;
}
