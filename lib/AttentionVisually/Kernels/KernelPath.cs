namespace AttentionVisually.Kernels;

/// <summary>
/// Which instruction path the attention tiles take. <see cref="Auto"/> picks the widest vectors the
/// processor accelerates (512-bit, then 256-bit) and plain scalar code otherwise, so the kernel is correct
/// everywhere; tests force each path to check that they agree.
/// </summary>
internal enum KernelPath
{
    /// <summary>Vector512 where accelerated, else Vector256 where accelerated, else scalar code.</summary>
    Auto,

    /// <summary>Plain scalar loops (the portable fallback).</summary>
    Scalar,

    /// <summary>Vector256 with fused multiply-add where the processor has it.</summary>
    Vector256,

    /// <summary>Vector512 (AVX-512) with 8 x 32 register blocks; emulated in software where not accelerated.</summary>
    Vector512,
}
