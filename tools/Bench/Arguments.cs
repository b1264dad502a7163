using System.Globalization;

namespace AttentionVisually.Bench;

/// <summary>A command word followed by <c>--name value</c> options and <c>--flag</c> switches.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string?> options = new(StringComparer.OrdinalIgnoreCase);

    public Arguments(string[] args)
    {
        int start = 0;
        Command = "speed";
        if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
        {
            Command = args[0];
            start = 1;
        }

        for (int i = start; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Expected an option starting with --, got '{args[i]}'.", nameof(args));
            }

            string name = args[i][2..];
            string? value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            options[name] = value;
        }
    }

    public string Command { get; }

    public bool Flag(string name) => options.ContainsKey(name);

    public string? Text(string name) => options.TryGetValue(name, out string? value) ? value : null;

    public int Int(string name, int fallback) =>
        Text(name) is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) =>
        Text(name) is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : fallback;

    public int[] Ints(string name, int[] fallback) =>
        Text(name) is { } s ? s.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray() : fallback;
}
