using AttentionVisually.Notebooks;

namespace AttentionVisually.Tests;

public class TableTests
{
    [Fact]
    public void Anonymous_rows_become_columns_in_declaration_order_with_invariant_numbers()
    {
        var t = new[] { new { model = "GPT-3", layers = 96, share = 0.33333 }, new { model = "<b>", layers = 12_000, share = 2.5e-6 } }.ToTable();
        Assert.Equal(["model", "layers", "share"], t.Headers);
        Assert.Equal(["GPT-3", "96", "0.33333"], t.Rows[0]);
        Assert.Equal(["<b>", "12,000", "2.5E-06"], t.Rows[1]);
        Assert.Contains("<td>&lt;b&gt;</td>", t.ToHtml());
        Assert.StartsWith("model", t.ToString());
    }

    [Fact]
    public void A_row_type_without_properties_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new[] { 1, 2 }.ToTable());
    }
}
