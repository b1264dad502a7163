using System.Text;

namespace NotebookRunner.Execution;

/// <summary>
/// Keeps the beginning and the end of a stream of text that may be huge (a stack overflow prints a frame per
/// line, a crashing cell may print forever): the first <see cref="HeadLimit"/> characters, where causes are
/// written, and the last <see cref="TailLimit"/>, where the final frames are. Thread-safe.
/// </summary>
internal sealed class BoundedText
{
    /// <summary>Characters kept from the beginning.</summary>
    public const int HeadLimit = 16_000;

    /// <summary>Characters kept from the end.</summary>
    public const int TailLimit = 8_000;

    private readonly StringBuilder head = new();
    private readonly StringBuilder tail = new();
    private long skipped;

    /// <summary>Appends text.</summary>
    /// <param name="text">More text.</param>
    public void Append(string text)
    {
        lock (head)
        {
            int room = HeadLimit - head.Length;
            if (room > 0)
            {
                int n = Math.Min(room, text.Length);
                head.Append(text, 0, n);
                text = text[n..];
            }
            if (text.Length == 0) return;
            tail.Append(text);
            if (tail.Length > 2 * TailLimit)
            {
                int cut = tail.Length - TailLimit;
                skipped += cut;
                tail.Remove(0, cut);
            }
        }
    }

    /// <summary>True when nothing but white space was appended.</summary>
    public bool IsBlank
    {
        get
        {
            lock (head) return string.IsNullOrWhiteSpace(head.ToString());
        }
    }

    /// <summary>The first characters.</summary>
    public string Head
    {
        get
        {
            lock (head) return head.ToString();
        }
    }

    /// <summary>The text kept: all of it when short, else the head, a note of how much was skipped, and the tail.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        lock (head)
        {
            if (tail.Length <= TailLimit && skipped == 0) return head.ToString() + tail;
            long more = skipped + Math.Max(0, tail.Length - TailLimit);
            string end = tail.ToString()[Math.Max(0, tail.Length - TailLimit)..];
            return $"{head}\n[… {more:N0} characters skipped …]\n{end}";
        }
    }
}
