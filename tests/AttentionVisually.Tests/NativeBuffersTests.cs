using AttentionVisually.Kernels;

namespace AttentionVisually.Tests;

/// <summary><see cref="NativeBuffers"/>: aligned buffers, reused when given back, never kept when huge or too many.</summary>
public unsafe class NativeBuffersTests
{
    [Fact]
    public void A_rented_buffer_is_aligned_to_64_bytes_and_writable_over_its_whole_length()
    {
        var pool = new NativeBuffers();
        float* buffer = pool.Rent(1000);
        try
        {
            Assert.Equal(0, (long)buffer % 64);
            new Span<float>(buffer, 1000).Fill(1f);
            Assert.Equal(1000f, new Span<float>(buffer, 1000).ToArray().Sum());
        }
        finally
        {
            pool.Return(buffer, 1000);
        }
    }

    [Fact]
    public void A_buffer_given_back_serves_the_next_request_that_fits()
    {
        var pool = new NativeBuffers();
        float* first = pool.Rent(5000);
        pool.Return(first, 5000);

        float* second = pool.Rent(4000);
        pool.Return(second, 5000);

        Assert.Equal((nint)first, (nint)second);
        Assert.Equal(1, pool.KeptCount);
    }

    [Fact]
    public void A_buffer_larger_than_the_kept_maximum_is_freed_not_kept()
    {
        var pool = new NativeBuffers();
        long size = NativeBuffers.MaxKeptFloats + 1;

        pool.Return(pool.Rent(size), size);

        Assert.Equal(0, pool.KeptCount);
    }

    [Fact]
    public void At_most_max_kept_buffers_wait_for_reuse()
    {
        var pool = new NativeBuffers();
        var rented = Enumerable.Range(0, NativeBuffers.MaxKept + 3).Select(_ => (nint)pool.Rent(16)).ToList();

        foreach (nint buffer in rented)
        {
            pool.Return((float*)buffer, 16);
        }

        Assert.Equal(NativeBuffers.MaxKept, pool.KeptCount);
    }
}
