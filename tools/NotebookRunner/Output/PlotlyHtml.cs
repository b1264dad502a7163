using System.Text.RegularExpressions;

namespace NotebookRunner.Output;

/// <summary>
/// Turns a chart as Plotly.NET.Interactive formats it (a div plus a script that loads require.js and plotly.js
/// from CDNs) into a div plus one <c>Plotly.newPlot</c> call against the plotly.js inlined in the page.
/// </summary>
/// <remarks>
/// Why a rewrite rather than one of Plotly.NET's own options (checked against Plotly.NET 6.0.0 and
/// Plotly.NET.Interactive 6.0.0): the markup is made once, in the kernel, for VS Code, the executed .ipynb and
/// this page alike, and Plotly.NET.Interactive's formatter sets <c>PlotlyJSReference = Require(cdn.plot.ly)</c>
/// on every chart, over any default display options. <c>NoReference</c> would give exactly the bare
/// <c>Plotly.newPlot</c> call wanted here, but then VS Code and the .ipynb draw nothing (no plotly.js there);
/// <c>Full</c> puts all of plotly.js (3.6 MB) into every chart output of the .ipynb; <c>CDN</c> needs the network.
/// <c>GenericChart.toChartHTML</c> and <c>toEmbeddedHTML</c> need the chart object, which the runner never has
/// (it gets formatted text) and must not load (Plotly.NET brings FSharp.Core 10.1, see NotebookRunner.csproj).
/// Plotly.NET's markup left as it is also draws offline, through <see cref="RequireShim"/> (tried in headless
/// Chromium with the network cut); the rewrite is what leaves no loader and no CDN address in the page.
/// </remarks>
internal static partial class PlotlyHtml
{
    /// <summary>
    /// Defines <c>requirejs</c> as a stand-in that hands over the inlined Plotly, for chart markup this class
    /// could not rewrite: such a script then draws without fetching anything.
    /// </summary>
    public const string RequireShim =
        "window.requirejs=window.requirejs||(function(){var r=function(d,cb){cb(window.Plotly);};r.config=function(){return r;};return r;})();";

    /// <summary>True when the HTML contains a Plotly chart.</summary>
    /// <param name="html">Formatted output.</param>
    /// <returns>Whether a chart placeholder is present.</returns>
    public static bool HasChart(string html) => html.Contains("Plotly chart will be drawn", StringComparison.Ordinal) || html.Contains("Plotly.newPlot", StringComparison.Ordinal);

    /// <summary>Rewrites every chart in <paramref name="html"/> and removes CDN addresses.</summary>
    /// <param name="html">Formatted output of a cell.</param>
    /// <param name="charts">Number of charts found.</param>
    /// <returns>HTML whose charts draw with the page's inlined plotly.js.</returns>
    public static string Rewrite(string html, out int charts)
    {
        int count = 0;
        string result = ChartBlock().Replace(html, m =>
        {
            string id = m.Groups["id"].Value;
            string script = m.Groups["script"].Value;
            string? data = Variable(script, "data");
            string? layout = Variable(script, "layout");
            string? config = Variable(script, "config");
            count++;
            if (data is null || layout is null) return m.Value; // the shim and CDN removal below still make it draw
            return $"<div id=\"{id}\" class=\"plotly-chart\"></div><script type=\"text/javascript\">Plotly.newPlot(\"{id}\", {data}, {layout}, {config ?? "{}"});</script>";
        });
        charts = count;
        return CdnAddress().Replace(result, "");
    }

    private static string? Variable(string script, string name)
    {
        var m = Regex.Match(script, @"^\s*var " + name + @" = (?<v>.*);\s*$", RegexOptions.Multiline);
        return m.Success ? m.Groups["v"].Value : null;
    }

    [GeneratedRegex("<div id=\"(?<id>[^\"]+)\"><!-- Plotly chart will be drawn inside this DIV --></div>\\s*<script type=\"text/javascript\">(?<script>.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ChartBlock();

    [GeneratedRegex(@"https?://(cdn\.plot\.ly|cdnjs\.cloudflare\.com|cdn\.jsdelivr\.net|unpkg\.com)/[^""'\s)]*")]
    private static partial Regex CdnAddress();
}
