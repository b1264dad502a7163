using System.Text.RegularExpressions;

namespace NotebookRunner.Documents;

/// <summary>
/// Reference solutions kept outside the chapters: for chapter <c>NN-name.dib</c>, the file <c>NN-name.cs</c> of the
/// solutions folder holds one block per exercise, each starting with the marker line that opens the exercise's
/// cell in the chapter (<c>// exercise: 02.scores</c>) and running to the next marker. With <c>--solutions DIR</c>
/// the runner executes each marked cell's solution instead of its blank stub, so a run proves every exercise can
/// be passed.
/// </summary>
internal static partial class ExerciseSolutions
{
    /// <summary>The exercise id of a cell whose first line is a marker, or null.</summary>
    /// <param name="cell">A cell.</param>
    /// <returns>The id, e.g. "02.scores".</returns>
    public static string? IdOf(Cell cell)
    {
        if (cell.IsMarkdown) return null;
        var first = cell.Code.Replace("\r", "").Split('\n')[0];
        var m = Marker().Match(first);
        return m.Success ? m.Groups["id"].Value : null;
    }

    /// <summary>The solutions file of a chapter.</summary>
    /// <param name="solutionsDir">The solutions folder.</param>
    /// <param name="chapterPath">The chapter's .dib path.</param>
    /// <returns>The full path of NN-name.cs in the folder (it may not exist: a chapter without exercises).</returns>
    public static string FileFor(string solutionsDir, string chapterPath) =>
        Path.GetFullPath(Path.Combine(solutionsDir, Path.GetFileNameWithoutExtension(chapterPath) + ".cs"));

    /// <summary>Replaces every marked cell of a chapter by its solution block.</summary>
    /// <param name="document">The chapter as the learner has it.</param>
    /// <param name="solutionsFile">Its solutions file.</param>
    /// <returns>The chapter with solutions in place of the stubs (the same cells, in the same order).</returns>
    /// <exception cref="ChapterFormatException">A marked cell has no solution, a solution has no cell, or an id is repeated.</exception>
    public static ChapterDocument Apply(ChapterDocument document, string solutionsFile)
    {
        var blocks = File.Exists(solutionsFile) ? Parse(solutionsFile, File.ReadAllText(solutionsFile)) : new Dictionary<string, string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var cells = new List<Cell>();
        foreach (var cell in document.Cells)
        {
            string? id = IdOf(cell);
            if (id is null)
            {
                cells.Add(cell);
                continue;
            }
            if (!used.Add(id)) throw new ChapterFormatException($"{document.Path}: cell {cell.Number}: exercise {id} is marked twice.");
            if (!blocks.TryGetValue(id, out var solution))
                throw new ChapterFormatException($"{document.Path}: cell {cell.Number} is exercise {id}, but {solutionsFile} has no block for it.");
            cells.Add(cell with { Code = solution });
        }
        var stale = blocks.Keys.Where(k => !used.Contains(k)).ToList();
        if (stale.Count > 0)
            throw new ChapterFormatException($"{solutionsFile}: block(s) {string.Join(", ", stale)} match no marked cell of {document.Path}.");
        return document.WithCells(cells);
    }

    /// <summary>Splits a solutions file into its blocks, each keeping its marker line.</summary>
    /// <param name="path">The file, for messages.</param>
    /// <param name="text">Its text.</param>
    /// <returns>Id → block.</returns>
    /// <exception cref="ChapterFormatException">Text before the first marker that is not a comment, or a repeated id.</exception>
    public static Dictionary<string, string> Parse(string path, string text)
    {
        var blocks = new Dictionary<string, string>(StringComparer.Ordinal);
        string? id = null;
        var current = new List<string>();
        void Close()
        {
            if (id is null) return;
            if (!blocks.TryAdd(id, string.Join("\n", current).TrimEnd() + "\n")) throw new ChapterFormatException($"{path}: exercise {id} has two blocks.");
        }
        var lines = text.Replace("\r", "").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var m = Marker().Match(lines[i]);
            if (m.Success)
            {
                Close();
                id = m.Groups["id"].Value;
                current = [lines[i]];
            }
            else if (id is null)
            {
                if (lines[i].Trim().Length > 0 && !lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal))
                    throw new ChapterFormatException($"{path}: line {i + 1}: code before the first '// exercise: NN.name' marker.");
            }
            else current.Add(lines[i]);
        }
        Close();
        return blocks;
    }

    [GeneratedRegex(@"^// exercise: (?<id>[0-9]{2}\.[a-z0-9-]+)\s*$")]
    private static partial Regex Marker();
}
