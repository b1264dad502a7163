using NotebookRunner.Output;

namespace Notebooks.Tests;

/// <summary>Chart markup as Plotly.NET.Interactive formats it, made to draw from the page's own plotly.js.</summary>
public sealed class PlotlyHtmlTests
{
    // The shape Plotly.NET 6 / Plotly.NET.Interactive 6 emit (data shortened).
    private const string Chart = """
        <div><div id="44ae194e-7c50"><!-- Plotly chart will be drawn inside this DIV --></div><script type="text/javascript">
        var renderPlotly_44ae194e7c50 = function() {
            var fsharpPlotlyRequire = requirejs.config({context:'fsharp-plotly',paths:{plotly:'https://cdn.plot.ly/plotly-2.28.0.min'}}) || require;
            fsharpPlotlyRequire(['plotly'], function(Plotly) {
                var data = [{"type":"heatmap","z":[[1,0.5],[0,1]]}];
                var layout = {"width":600,"height":600};
                var config = {"responsive":true};
                Plotly.newPlot('44ae194e-7c50', data, layout, config);
            });
        };
        if ((typeof(requirejs) !==  typeof(Function)) || (typeof(requirejs.config) !== typeof(Function))) {
            var script = document.createElement("script");
            script.setAttribute("src", "https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js");
            script.onload = function(){ renderPlotly_44ae194e7c50(); };
            document.getElementsByTagName("head")[0].appendChild(script);
        }
        else { renderPlotly_44ae194e7c50(); }
        </script></div>
        """;

    [Fact]
    public void A_chart_becomes_one_newPlot_call_with_its_data_layout_and_config()
    {
        string html = PlotlyHtml.Rewrite(Chart, out int charts);
        Assert.Equal(1, charts);
        Assert.Contains("<div id=\"44ae194e-7c50\" class=\"plotly-chart\"></div>", html);
        Assert.Contains("Plotly.newPlot(\"44ae194e-7c50\", [{\"type\":\"heatmap\",\"z\":[[1,0.5],[0,1]]}], {\"width\":600,\"height\":600}, {\"responsive\":true});", html);
    }

    [Fact]
    public void No_cdn_address_survives_the_rewrite()
    {
        string html = PlotlyHtml.Rewrite(Chart + Chart.Replace("44ae194e-7c50", "second"), out int charts);
        Assert.Equal(2, charts);
        Assert.DoesNotContain("cdn", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("requirejs", html);
    }

    [Fact]
    public void Html_without_a_chart_is_left_as_it_is()
    {
        const string table = "<table><tr><td>1</td></tr></table>";
        Assert.False(PlotlyHtml.HasChart(table));
        Assert.Equal(table, PlotlyHtml.Rewrite(table, out int charts));
        Assert.Equal(0, charts);
    }

    [Fact]
    public void The_inlined_plotly_js_is_the_minified_library()
    {
        string js = PlotlyScript.Source;
        Assert.True(js.Length > 1_000_000, $"plotly.js has {js.Length} characters");
        Assert.Contains("newPlot", js);
    }
}
