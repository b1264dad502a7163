using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Documents;

namespace NotebookRunner.Documents;

/// <summary>One cell of a chapter: its 1-based number in the file, the kernel that runs it, and its text.</summary>
/// <param name="Number">Position of the cell in the notebook, counting markdown cells, from 1.</param>
/// <param name="KernelName">Kernel name after aliases are resolved (csharp, html, value, markdown).</param>
/// <param name="Code">The cell's text without its <c>#!kernel</c> header.</param>
internal sealed record Cell(int Number, string KernelName, string Code)
{
    /// <summary>True for prose cells, which are rendered, never executed.</summary>
    public bool IsMarkdown => KernelName == KnownKernels.Markdown;

    /// <summary>The first <paramref name="count"/> non-blank lines, for error messages.</summary>
    public string FirstLines(int count = 3) =>
        string.Join("\n", Code.Split('\n').Where(l => l.Trim().Length > 0).Take(count));
}

/// <summary>The kernels the runner hosts, as the stock kernel names them.</summary>
internal static class KnownKernels
{
    /// <summary>Name of the prose pseudo-kernel.</summary>
    public const string Markdown = "markdown";

    /// <summary>Kernel names and their aliases, as written after <c>#!</c> in a .dib file.</summary>
    public static KernelInfoCollection Infos()
    {
        var infos = new KernelInfoCollection
        {
            new KernelInfo("csharp", languageName: "C#", aliases: ["c#", "C#"]),
            new KernelInfo("html", languageName: "HTML"),
            new KernelInfo("value"),
            new KernelInfo(Markdown, languageName: "Markdown", aliases: ["md"]),
        };
        infos.DefaultKernelName = "csharp";
        return infos;
    }

    /// <summary>Resolves a kernel name or alias to the kernel's name.</summary>
    /// <param name="nameOrAlias">As written after <c>#!</c> or in the <c>#!meta</c> block.</param>
    /// <param name="name">The kernel's name, when known.</param>
    /// <returns>True when the runner has that kernel.</returns>
    public static bool TryResolve(string nameOrAlias, out string name)
    {
        foreach (var info in Infos())
        {
            if (info.Name == nameOrAlias || info.Aliases.Contains(nameOrAlias))
            {
                name = info.Name;
                return true;
            }
        }
        name = "";
        return false;
    }

    /// <summary>
    /// Magic commands the runner's kernel understands (see <c>Execution/KernelFactory.cs</c>); a line
    /// <c>#!name</c> that is neither one of these nor a kernel is reported before anything runs.
    /// </summary>
    public static readonly IReadOnlySet<string> MagicCommands = new HashSet<string>(StringComparer.Ordinal)
    {
        "#!import", "#!who", "#!whos", "#!set", "#!share", "#!meta",
    };
}

/// <summary>A malformed chapter: the message names the file and, where known, the line.</summary>
internal sealed class ChapterFormatException(string message) : Exception(message);

/// <summary>
/// A chapter read from a .dib file (the Polyglot Notebooks plain-text format), split into cells with the
/// same parser as the stock kernel (<see cref="CodeSubmission"/>), and checked for what the runner cannot run.
/// </summary>
internal sealed class ChapterDocument
{
    private static readonly Regex MagicLine = new(@"^#!(?<name>[A-Za-z][\w\-#]*)(\s|$)", RegexOptions.Compiled);

    private ChapterDocument(string path, IReadOnlyList<Cell> cells)
    {
        Path = path;
        Cells = cells;
    }

    /// <summary>Full path of the .dib file.</summary>
    public string Path { get; }

    /// <summary>File name without extension, e.g. <c>02-queries-and-keys</c>.</summary>
    public string Name => System.IO.Path.GetFileNameWithoutExtension(Path);

    /// <summary>All cells in file order.</summary>
    public IReadOnlyList<Cell> Cells { get; }

    /// <summary>Cells that run code (not markdown).</summary>
    public IEnumerable<Cell> CodeCells => Cells.Where(c => !c.IsMarkdown);

    /// <summary>The same chapter with other cell contents (see <see cref="ExerciseSolutions"/>).</summary>
    /// <param name="cells">The cells, as many as this chapter has.</param>
    /// <returns>A chapter at the same path.</returns>
    public ChapterDocument WithCells(IReadOnlyList<Cell> cells) => new(Path, cells);

    /// <summary>Reads and checks a chapter.</summary>
    /// <param name="path">Path of a .dib file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ChapterFormatException">The file is not a well-formed .dib the runner can execute.</exception>
    public static ChapterDocument Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"{path}: no such notebook file.", full);
        byte[] bytes = File.ReadAllBytes(full);
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new ChapterFormatException($"{full}: malformed .dib: the file is not UTF-8 text.");
        }
        return Parse(full, text);
    }

    /// <summary>Parses .dib text.</summary>
    /// <param name="path">Path used in messages and as <see cref="Path"/>.</param>
    /// <param name="text">The file's content.</param>
    /// <exception cref="ChapterFormatException">The text is not a well-formed .dib the runner can execute.</exception>
    public static ChapterDocument Parse(string path, string text)
    {
        if (text.Contains('\0')) throw new ChapterFormatException($"{path}: malformed .dib: the file contains NUL bytes (binary content).");
        text = text.TrimStart('\uFEFF');
        if (text.TrimStart().StartsWith('{'))
            throw new ChapterFormatException($"{path}: malformed .dib: the file looks like JSON (an .ipynb?); a .dib is plain text with #!csharp / #!markdown cell headers.");

        var infos = KnownKernels.Infos();
        CheckMetadata(path, text, infos);
        CheckMagicLines(path, text, infos);

        InteractiveDocument document;
        try
        {
            document = CodeSubmission.Parse(text, infos);
        }
        catch (JsonException e)
        {
            throw new ChapterFormatException($"{path}: malformed .dib: the #!meta block is not valid JSON: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidCastException or KeyNotFoundException or ArgumentException or FormatException or NullReferenceException)
        {
            // The checks above should have named the problem; whatever slipped through is still the file's fault.
            throw new ChapterFormatException($"{path}: malformed .dib: the notebook parser rejected it ({e.GetType().Name}: {e.Message}).");
        }

        var cells = new List<Cell>();
        foreach (var element in document.Elements)
        {
            string name = element.KernelName ?? "csharp";
            if (!KnownKernels.TryResolve(name, out var resolved))
                throw new ChapterFormatException($"{path}: cell {cells.Count + 1} uses kernel '{name}', which the runner does not have ({Available(infos)}).");
            cells.Add(new Cell(cells.Count + 1, resolved, element.Contents));
        }
        // Nothing that runs cannot pass: an empty or prose-only file would otherwise be reported green.
        if (cells.All(c => c.IsMarkdown || c.Code.Trim().Length == 0))
            throw new ChapterFormatException($"{path}: the notebook has no code to run (an empty file or only prose), so it cannot pass.");
        return new ChapterDocument(path, cells);
    }

    private static void CheckMetadata(string path, string text, KernelInfoCollection infos)
    {
        var lines = text.Split('\n');
        int start = Array.FindIndex(lines, l => l.TrimEnd('\r') == "#!meta");
        if (start < 0) return;
        var json = new StringBuilder();
        int i = start + 1;
        for (; i < lines.Length && !lines[i].StartsWith("#!", StringComparison.Ordinal); i++) json.AppendLine(lines[i]);
        JsonDocument meta;
        try
        {
            meta = JsonDocument.Parse(json.ToString());
        }
        catch (JsonException e)
        {
            throw new ChapterFormatException($"{path}: line {start + 1}: malformed .dib: the #!meta block is not valid JSON: {e.Message}");
        }
        using (meta)
        {
            CheckMetadataShape(path, start + 1, meta.RootElement, infos);
        }
    }

    /// <summary>
    /// The shape the stock kernel reads: an object whose optional <c>kernelInfo</c> is an object with an optional
    /// <c>defaultKernelName</c> (string) and <c>items</c> (array of objects with a string <c>name</c> and optional
    /// <c>aliases</c>, an array of strings).
    /// </summary>
    private static void CheckMetadataShape(string path, int line, JsonElement root, KernelInfoCollection infos)
    {
        string Where(string what) => $"{path}: line {line}: malformed .dib: the #!meta block {what}";
        if (root.ValueKind != JsonValueKind.Object) throw new ChapterFormatException(Where($"must be a JSON object, not {Kind(root)}."));
        if (!root.TryGetProperty("kernelInfo", out var kernelInfo)) return;
        if (kernelInfo.ValueKind != JsonValueKind.Object) throw new ChapterFormatException(Where($"has kernelInfo = {Kind(kernelInfo)}; it must be an object."));
        if (kernelInfo.TryGetProperty("defaultKernelName", out var defaultName))
        {
            if (defaultName.ValueKind != JsonValueKind.String) throw new ChapterFormatException(Where($"has kernelInfo.defaultKernelName = {Kind(defaultName)}; it must be a string."));
            if (!KnownKernels.TryResolve(defaultName.GetString()!, out _))
                throw new ChapterFormatException(Where($"names default kernel '{defaultName.GetString()}', which the runner does not have ({Available(infos)})."));
        }
        if (!kernelInfo.TryGetProperty("items", out var items)) return;
        if (items.ValueKind != JsonValueKind.Array) throw new ChapterFormatException(Where($"has kernelInfo.items = {Kind(items)}; it must be an array."));
        int i = 0;
        foreach (var item in items.EnumerateArray())
        {
            string at = $"kernelInfo.items[{i++}]";
            if (item.ValueKind != JsonValueKind.Object) throw new ChapterFormatException(Where($"has {at} = {Kind(item)}; it must be an object."));
            if (!item.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String)
                throw new ChapterFormatException(Where($"has {at} without a string \"name\"."));
            if (item.TryGetProperty("aliases", out var aliases) &&
                (aliases.ValueKind != JsonValueKind.Array || aliases.EnumerateArray().Any(a => a.ValueKind != JsonValueKind.String)))
                throw new ChapterFormatException(Where($"has {at}.aliases = {Kind(aliases)}; it must be an array of strings."));
            foreach (var p in new[] { "languageName", "displayName" })
            {
                if (item.TryGetProperty(p, out var v) && v.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                    throw new ChapterFormatException(Where($"has {at}.{p} = {Kind(v)}; it must be a string."));
            }
            string name = n.GetString()!;
            if (!KnownKernels.TryResolve(name, out _))
                throw new ChapterFormatException($"{path}: line {line}: the #!meta block declares kernel '{name}', which the runner does not have ({Available(infos)}).");
        }
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static void CheckMagicLines(string path, string text, KernelInfoCollection infos)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var m = MagicLine.Match(lines[i].TrimEnd('\r'));
            if (!m.Success) continue;
            string name = m.Groups["name"].Value;
            bool alone = lines[i].Trim() == "#!" + name;
            if (alone && KnownKernels.TryResolve(name, out _)) continue;
            if (KnownKernels.MagicCommands.Contains("#!" + name)) continue;
            string magic = string.Join(", ", KnownKernels.MagicCommands.Where(c => c != "#!meta"));
            throw new ChapterFormatException(alone
                ? $"{path}: line {i + 1}: unknown kernel name or magic command '#!{name}' ({Available(infos)}; magic commands: {magic})."
                : $"{path}: line {i + 1}: unknown magic command '#!{name}' (the runner knows {magic}).");
        }
    }

    private static string Available(KernelInfoCollection infos) =>
        "kernels: " + string.Join(", ", infos.Select(k => k.Name));
}
