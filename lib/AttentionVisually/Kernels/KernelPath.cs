namespace AttentionVisually.Kernels;

/// <summary>
/// Which instruction path the attention tiles take. <see cref="Auto"/> picks 256-bit vectors when the
/// processor accelerates them and plain scalar code otherwise, so the kernel is correct everywhere;
/// tests force each path to check that they agree.
/// </summary>
internal enum KernelPath
{
    /// <summary>256-bit vectors where accelerated, scalar code elsewhere.</summary>
    Auto,

    /// <summary>Plain scalar loops (the portable fallback).</summary>
    Scalar,

    /// <summary>Vector256 with fused multiply-add where the processor has it.</summary>
    Vector256,
}
