using Plotly.NET;

namespace AttentionVisually.Tests;

public class DiagramsTests
{
    [Fact]
    public void The_head_diagram_has_every_step_from_e_to_e_prime_and_is_marked_as_a_diagram()
    {
        var html = GenericChart.toChartHTML(Diagrams.Head());
        foreach (var step in new[] { "q = W_Q e", "k = W_K e", "v = W_up W_down e", "grid", "pattern A", "Δe = Σ A v", "e′ = e + Δe" })
            Assert.Contains(step, html);
        Assert.Contains($"\"meta\":\"{Diagrams.Meta}\"", html);
        Assert.Equal(8, html.Split("\"type\":\"rect\"").Length - 1);
        Assert.Equal(9, html.Split("\"arrowhead\":3").Length - 1);
    }

    [Fact]
    public void The_block_diagram_puts_attention_and_the_mlp_on_the_residual_stream()
    {
        var html = GenericChart.toChartHTML(Diagrams.Block());
        Assert.Contains("multi-head attention", html);
        Assert.Contains("MLP", html);
        Assert.Contains("residual stream", html);
        Assert.Contains($"\"meta\":\"{Diagrams.Meta}\"", html);
    }

    [Fact]
    public void An_arrow_to_a_missing_box_or_a_repeated_id_is_named_in_the_error()
    {
        DiagramBox[] boxes = [new("a", "A", 0, 0, 1, 1, "white"), new("b", "B", 2, 0, 1, 1, "white")];
        var missing = Assert.Throws<ArgumentException>(() => Diagrams.Draw("D", boxes, [new("a", "c")]));
        Assert.Contains("\"c\"", missing.Message);
        var repeated = Assert.Throws<ArgumentException>(() => Diagrams.Draw("D", [boxes[0], boxes[0]], []));
        Assert.Contains("\"a\"", repeated.Message);
    }
}
