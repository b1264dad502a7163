using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NotebookRunner.Output;

/// <summary>
/// Text from a kernel (error messages, traces, outputs) made safe for XML 1.0, HTML and the console: ANSI escape
/// sequences (colours, cursor moves) are removed, and every other character that XML 1.0 forbids or HTML reports
/// as a parse error (C0 and C1 controls except tab, newline and carriage return; lone surrogates; U+FFFE, U+FFFF)
/// is shown visibly instead (<c>␛</c>-style control pictures, <c>\u0085</c>, or U+FFFD).
/// </summary>
internal static partial class SafeText
{
    /// <summary>Cleans a text; null stays null.</summary>
    /// <param name="text">Any text.</param>
    /// <returns>The text with escape sequences removed and forbidden characters made visible.</returns>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    public static string? Clean(string? text)
    {
        if (text is null) return null;
        if (!NeedsCleaning(text)) return text;
        text = AnsiSequence().Replace(text, "");
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[++i]);
            }
            else if (char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF')
            {
                sb.Append('\uFFFD');
            }
            else if (c < 0x20 && c is not ('\t' or '\n' or '\r'))
            {
                sb.Append((char)(0x2400 + c)); // U+2400..U+241F: the control pictures ␀ … ␟
            }
            else if (c == 0x7F)
            {
                sb.Append('\u2421'); // ␡
            }
            else if (c is >= '\u0080' and <= '\u009F')
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    private static bool NeedsCleaning(string text)
    {
        foreach (char c in text)
        {
            if ((c < 0x20 && c is not ('\t' or '\n' or '\r')) || c is >= '\u007F' and <= '\u009F' || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF')
                return true;
        }
        return false;
    }

    // CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \), and two-character escapes (ESC + one byte).
    [GeneratedRegex(@"\u001B(\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001B]*(\u0007|\u001B\\)?|[@-Z\\-_])")]
    private static partial Regex AnsiSequence();
}
