using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Html;
using NotebookRunner.Execution;
using static Microsoft.DotNet.Interactive.Formatting.PocketViewTags;

namespace NotebookRunner.Output;

/// <summary>
/// <c>index.html</c>: every chapter with its status and links to its page and notebook. A run of some chapters
/// keeps the rows of the others already in the folder, so the index always lists every page there. Each row
/// carries its chapter's name in a <c>data-chapter</c> attribute (HTML-encoded, read back decoded), so names with
/// any characters (accents, spaces, quotes) survive a partial rerun; links are URL-encoded. The table is written
/// with .NET Interactive's PocketView (which encodes every text and attribute), as the course's notebook tables are.
/// </summary>
internal static partial class IndexPage
{
    /// <summary>Writes the index.</summary>
    /// <param name="chapters">All chapter results, in run order.</param>
    /// <param name="path">Target path.</param>
    public static void Write(IReadOnlyList<ChapterResult> chapters, string path)
    {
        var byName = new SortedDictionary<string, string>(StringComparer.Ordinal);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (File.Exists(path))
        {
            foreach (Match m in Row().Matches(File.ReadAllText(path)))
            {
                string name = WebUtility.HtmlDecode(m.Groups["name"].Value);
                if (File.Exists(Path.Combine(folder, name + ".html"))) byName[name] = m.Value;
            }
        }
        foreach (var c in chapters)
        {
            string name = SafeText.Clean(c.Name);
            string link = Uri.EscapeDataString(c.Name);
            string status = c.Passed ? "passed" : "failed";
            string run = SafeText.Clean(c.ChapterError is null ? HtmlHandout.Summary(c) : c.ChapterError.Split('\n')[0]);
            // A chapter refused or unreadable has no page: its row has no links.
            object pageLink = c.Document is null ? name : a[href: link + ".html"](name);
            object notebook = c.Document is null ? "" : a[href: link + ".ipynb"](".ipynb");
            byName[c.Name] = tr[@class: status, data_chapter: name](td(pageLink), td(status), td(run), td(notebook)).ToString();
        }
        string chapterTable = table(
            tr(th("Chapter"), th("Status"), th("Run"), th("Notebook")),
            byName.Values.Select(row => new HtmlString("\n" + row))).ToString();
        string page = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>Attention, Visually · executed chapters</title>
            <style>
            body { font: 16px/1.5 system-ui, sans-serif; max-width: 900px; margin: 2rem auto; padding: 0 1rem; color: #1f2328; }
            table { border-collapse: collapse; width: 100%; }
            td, th { border-bottom: 1px solid #d0d7de; padding: .4rem .6rem; text-align: left; }
            tr.failed td:nth-child(2) { color: #cf222e; font-weight: 600; }
            tr.passed td:nth-child(2) { color: #1a7f37; }
            </style>
            </head>
            <body>
            <h1>Attention, Visually</h1>
            <p>Every chapter, executed. Each page works offline: its charts are interactive and need no network.</p>
            {{chapterTable}}
            </body>
            </html>

            """;
        File.WriteAllText(path, page, new UTF8Encoding(false));
    }

    [GeneratedRegex("<tr class=\"(passed|failed)\" data-chapter=\"(?<name>[^\"]*)\">.*?</tr>")]
    private static partial Regex Row();
}
