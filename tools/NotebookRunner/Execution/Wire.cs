using System.Text.Json;
using System.Text.Json.Serialization;

namespace NotebookRunner.Execution;

/// <summary>
/// The line protocol between the parent runner and the child process that executes one chapter: one JSON
/// object per line on the private channel (see <see cref="ProtocolListener"/>), never on the child's standard
/// output, which belongs to the chapter's code.
/// </summary>
internal static class Wire
{
    private static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    /// <summary>Serializes an event as one protocol line.</summary>
    /// <param name="e">The event.</param>
    /// <returns>The line, without newline (JSON escapes every newline inside strings).</returns>
    public static string Encode(WireEvent e) => JsonSerializer.Serialize(e, Options);

    /// <summary>Parses a protocol line.</summary>
    /// <param name="line">A line read from the channel.</param>
    /// <returns>The event, or null when the line is not a protocol event.</returns>
    public static WireEvent? Decode(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<WireEvent>(line, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>One protocol event. <see cref="Type"/> says which fields are set.</summary>
internal sealed class WireEvent
{
    /// <summary>The kernel process is up (<see cref="Cell"/> = its process group id, or -1).</summary>
    public const string Hello = "hello";
    /// <summary>The kernel is built (<see cref="Ms"/> = start time).</summary>
    public const string Ready = "ready";
    /// <summary>A cell starts (<see cref="Cell"/>).</summary>
    public const string CellStart = "cellStart";
    /// <summary>A cell produced an output (<see cref="Output"/>, <see cref="Replace"/>).</summary>
    public const string Output = "output";
    /// <summary>A submission of a kind the summary times separately ended (<see cref="Status"/> = restore, load or setup; <see cref="Ms"/>).</summary>
    public const string Phase = "phase";
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
    /// <summary>passed or failed; restore, load or setup.</summary>
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
