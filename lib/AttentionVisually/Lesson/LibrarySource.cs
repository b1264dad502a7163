using System.Text;

namespace AttentionVisually.Lesson;

/// <summary>
/// The library's own source code, for the chapters to show where the code is the lesson: the build embeds the
/// library's top-level .cs files, and <see cref="Of"/> cuts one member out of them at run time, so the text a
/// learner reads is the code that runs (d2l's <c>#@save</c> idea, in reverse).
/// </summary>
public static class LibrarySource
{
    private const string Prefix = "AttentionVisually.Source.";

    /// <summary>The names of the embedded source files.</summary>
    public static IReadOnlyList<string> Files =>
        typeof(LibrarySource).Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..]).Order(StringComparer.Ordinal).ToArray();

    /// <summary>One member's source: its XML doc comment, signature and body, with the file it comes from.</summary>
    /// <param name="member">"Type.Member", e.g. "Attention.Scores".</param>
    /// <param name="overload">Which declaration of that name in the type, 0 for the first.</param>
    /// <returns>The code, dedented, under a comment naming its file.</returns>
    /// <exception cref="ArgumentException">The name is not "Type.Member", or no embedded file declares it (or not that many times).</exception>
    public static string Of(string member, int overload = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(overload);
        ArgumentException.ThrowIfNullOrWhiteSpace(member);
        int dot = member.LastIndexOf('.');
        if (dot <= 0 || dot == member.Length - 1) throw new ArgumentException($"member is '{member}'; write it as Type.Member, e.g. Attention.Scores.", nameof(member));
        string type = member[..dot], name = member[(dot + 1)..];
        foreach (var file in Files)
        {
            var lines = Read(file).Replace("\r", "").Split('\n');
            int typeLine = Array.FindIndex(lines, l => Declares(l, "class " + type) || Declares(l, "record " + type) || Declares(l, "struct " + type));
            if (typeLine < 0) continue;
            int start = typeLine;
            for (int n = 0; n <= overload && start >= 0; n++) start = FindMember(lines, start, name);
            if (start < 0) continue;
            int first = start;
            while (first > 0 && lines[first - 1].TrimStart().StartsWith("///", StringComparison.Ordinal)) first--;
            int last = EndOf(lines, start);
            var body = lines[first..(last + 1)];
            int indent = body.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
            var text = new StringBuilder($"// {member}, from lib/AttentionVisually/{file} (the code the chapter runs)\n");
            foreach (var l in body) text.Append(l.Length >= indent ? l[indent..] : l.TrimStart()).Append('\n');
            return text.ToString().TrimEnd();
        }
        throw new ArgumentException($"no embedded library file declares {member} (files: {string.Join(", ", Files)}).", nameof(member));
    }

    private static bool Declares(string line, string what)
    {
        int i = line.IndexOf(what, StringComparison.Ordinal);
        if (i < 0) return false;
        int after = i + what.Length;
        return after == line.Length || !char.IsLetterOrDigit(line[after]);
    }

    private static int FindMember(string[] lines, int from, string name)
    {
        for (int i = from + 1; i < lines.Length; i++)
        {
            string t = lines[i].TrimStart();
            if (t.StartsWith("//", StringComparison.Ordinal)) continue;
            if (t.StartsWith("public sealed class", StringComparison.Ordinal) || t.StartsWith("public static class", StringComparison.Ordinal)) return -1; // next type
            bool declaration = t.StartsWith("public ", StringComparison.Ordinal) || t.StartsWith("internal ", StringComparison.Ordinal) || t.StartsWith("private ", StringComparison.Ordinal);
            if (declaration && (t.Contains(" " + name + "(", StringComparison.Ordinal) || t.Contains(" " + name + "<", StringComparison.Ordinal) || t.EndsWith(" " + name, StringComparison.Ordinal)))
                return i;
        }
        return -1;
    }

    // The member ends at the brace that closes its body, or at the ';' of an expression body.
    private static int EndOf(string[] lines, int start)
    {
        int depth = 0;
        bool opened = false;
        for (int i = start; i < lines.Length; i++)
        {
            foreach (char c in lines[i])
            {
                if (c == '{') { depth++; opened = true; }
                else if (c == '}') depth--;
            }
            if (opened && depth == 0) return i;
            if (!opened && lines[i].TrimEnd().EndsWith(';')) return i;
        }
        return lines.Length - 1;
    }

    private static string Read(string file)
    {
        using var stream = typeof(LibrarySource).Assembly.GetManifestResourceStream(Prefix + file)
            ?? throw new InvalidOperationException($"embedded source {file} is missing from the library.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
