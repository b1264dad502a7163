using System.Globalization;
using System.Text;

namespace AttentionVisually.Tests;

public class AccentFoldingTests
{
    /// <summary>The reference: Unicode canonical decomposition by ICU, then every non-spacing mark dropped.</summary>
    private static string ByIcu(string s)
    {
        var builder = new StringBuilder();
        foreach (Rune r in s.Normalize(NormalizationForm.FormD).EnumerateRunes())
            if (Rune.GetUnicodeCategory(r) != UnicodeCategory.NonSpacingMark) builder.Append(r.ToString());
        return builder.ToString();
    }

    [Fact]
    public void The_test_process_really_has_ICU_so_the_reference_decomposes()
    {
        Assert.Equal("e\u0301", "é".Normalize(NormalizationForm.FormD));
    }

    [Fact]
    public void Every_assigned_code_point_folds_as_its_canonical_decomposition_without_marks()
    {
        var wrong = new List<string>();
        for (int cp = 0; cp <= 0x10FFFF; cp++)
        {
            if (cp is >= 0xD800 and <= 0xDFFF) continue;
            var r = new Rune(cp);
            if (Rune.GetUnicodeCategory(r) == UnicodeCategory.OtherNotAssigned) continue;
            string s = r.ToString();
            if (AccentFolding.Strip(s) != ByIcu(s)) wrong.Add($"U+{cp:X4}");
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} code points fold differently from NFD, e.g. {string.Join(", ", wrong.Take(10))}");
    }

    [Theory]
    [InlineData("café", "cafe")]
    [InlineData("Ångström", "Angstrom")]
    [InlineData("αθήνα", "αθηνα")]
    [InlineData("e\u0301", "e")]
    [InlineData("한", "\u1112\u1161\u11AB")]
    [InlineData("😀", "😀")]
    public void Known_words_lose_their_accents_and_nothing_else(string text, string expected)
    {
        Assert.Equal(expected, AccentFolding.Strip(text));
    }
}
