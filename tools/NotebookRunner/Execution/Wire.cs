using System.Text.Json;
using System.Text.Json.Serialization;

namespace NotebookRunner.Execution;

/// <summary>
/// The line protocol between the parent runner and the child process that executes one chapter. The child
/// writes one JSON object per line to its original standard output, each line starting with
/// <see cref="Prefix"/>; other lines (whatever a notebook printed outside a cell) are not protocol.
/// </summary>
internal static class Wire
{
    /// <summary>Marks a protocol line (ASCII record separator, then a tag).</summary>
    public const string Prefix = "\u001eNR1 ";

    private static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    /// <summary>Serializes an event as one protocol line.</summary>
    /// <param name="e">The event.</param>
    /// <returns>The line, without newline.</returns>
    public static string Encode(WireEvent e) => Prefix + JsonSerializer.Serialize(e, Options);

    /// <summary>Parses a line written by the child.</summary>
    /// <param name="line">A line of the child's standard output.</param>
    /// <returns>The event, or null when the line is not protocol.</returns>
    public static WireEvent? Decode(string line) =>
        line.StartsWith(Prefix, StringComparison.Ordinal)
            ? JsonSerializer.Deserialize<WireEvent>(line.AsSpan(Prefix.Length), Options)
            : null;
}

/// <summary>One protocol event. <see cref="Type"/> says which fields are set.</summary>
internal sealed class WireEvent
{
    /// <summary>The kernel is built (<see cref="Ms"/> = start time).</summary>
    public const string Ready = "ready";
    /// <summary>A cell starts (<see cref="Cell"/>).</summary>
    public const string CellStart = "cellStart";
    /// <summary>A cell produced an output (<see cref="Output"/>, <see cref="Replace"/>).</summary>
    public const string Output = "output";
    /// <summary>A cell ended (<see cref="Status"/>, <see cref="Ms"/>, <see cref="Error"/>, <see cref="Trace"/>).</summary>
    public const string CellEnd = "cellEnd";
    /// <summary>The chapter ended.</summary>
    public const string Done = "done";
    /// <summary>The child could not run the chapter at all (<see cref="Error"/>).</summary>
    public const string Fatal = "fatal";

    /// <summary>Event type.</summary>
    public string Type { get; set; } = "";
    /// <summary>Cell number (1-based, as in the document).</summary>
    public int Cell { get; set; }
    /// <summary>Milliseconds.</summary>
    public long Ms { get; set; }
    /// <summary>passed or failed.</summary>
    public string? Status { get; set; }
    /// <summary>Error message.</summary>
    public string? Error { get; set; }
    /// <summary>Diagnostics or stack trace.</summary>
    public string? Trace { get; set; }
    /// <summary>An output of the current cell.</summary>
    [JsonPropertyName("out")]
    public CellOutput? Payload { get; set; }
    /// <summary>True when the output replaces an earlier display with the same value id.</summary>
    public bool Replace { get; set; }
}
