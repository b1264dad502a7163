using System.Runtime.InteropServices;

namespace AttentionVisually.Kernels;

/// <summary>
/// A small pool of 64-byte-aligned native float buffers reused from one kernel call to the next. Large
/// allocations are served by fresh memory mappings that the operating system zero-fills page by page and
/// unmaps on free; at n = 256 those page faults and system calls cost as much as the attention itself, so the
/// copies of keys and values and the per-worker tiles come from here. At most <see cref="MaxKept"/> buffers of at
/// most <see cref="MaxKeptFloats"/> floats are kept; larger ones are freed at once.
/// </summary>
internal sealed unsafe class NativeBuffers
{
    /// <summary>Buffers kept for reuse (the copies of K and V a call needs and one workspace per core, for a few cores).</summary>
    public const int MaxKept = 8;

    /// <summary>Largest buffer kept: 1 Mi floats (4 MiB, the packed values of 12 heads of 1024 x 64); longer contexts allocate and free.</summary>
    public const long MaxKeptFloats = 1L << 20;

    private readonly List<(nint Pointer, long Floats)> kept = [];

    /// <summary>The pool the kernel uses.</summary>
    public static NativeBuffers Shared { get; } = new();

    /// <summary>Buffers waiting for reuse.</summary>
    public int KeptCount
    {
        get
        {
            lock (kept)
            {
                return kept.Count;
            }
        }
    }

    /// <summary>A buffer of at least <paramref name="floats"/> floats, contents undefined.</summary>
    public float* Rent(long floats)
    {
        lock (kept)
        {
            int best = -1;
            for (int i = 0; i < kept.Count; i++)
            {
                if (kept[i].Floats >= floats && (best < 0 || kept[i].Floats < kept[best].Floats))
                {
                    best = i;
                }
            }

            if (best >= 0)
            {
                float* found = (float*)kept[best].Pointer;
                kept.RemoveAt(best);
                return found;
            }
        }

        return (float*)NativeMemory.AlignedAlloc((nuint)(Math.Max(floats, 1) * sizeof(float)), 64);
    }

    /// <summary>Gives a buffer back; <paramref name="floats"/> is the size it was rented with.</summary>
    public void Return(float* buffer, long floats)
    {
        if (floats <= MaxKeptFloats)
        {
            lock (kept)
            {
                if (kept.Count < MaxKept)
                {
                    kept.Add(((nint)buffer, floats));
                    return;
                }
            }
        }

        NativeMemory.AlignedFree(buffer);
    }
}
