using TorchSharp;

namespace AttentionVisually.Tests;

public class TorchDevicesTests
{
    [Fact]
    public void Cpu_is_selected_by_name_and_is_the_default_without_a_gpu()
    {
        Assert.Equal(DeviceType.CPU, TorchDevices.Select("cpu").type);
        if (!TorchDevices.IsCudaAvailable)
        {
            Assert.Equal(DeviceType.CPU, TorchDevices.Default.type);
            Assert.Equal(DeviceType.CPU, new TorchAttentionEngine().Device.type);
        }
    }

    [Fact]
    public void Asking_for_cuda_where_it_is_missing_says_what_to_change()
    {
        if (TorchDevices.IsCudaAvailable)
        {
            Assert.Equal(DeviceType.CUDA, TorchDevices.Select("cuda").type);
            return;
        }
        string expected = TorchDevices.Flavor == "cpu" ? "TorchSharpFlavor" : "no CUDA GPU";
        var ex = Assert.Throws<ArgumentException>(() => new TorchAttentionEngine(TorchAttentionMode.Fused, new torch.Device(DeviceType.CUDA)));
        Assert.Equal("device", ex.ParamName);
        Assert.Contains(expected, ex.Message);
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => TorchDevices.Select("cuda")).Message);
    }

    [Fact]
    public void An_unknown_device_name_is_rejected_with_the_choices()
    {
        var ex = Assert.Throws<ArgumentException>(() => TorchDevices.Select("tpu"));
        Assert.Contains("tpu", ex.Message);
        Assert.Contains("\"cpu\"", ex.Message);
    }

    [Fact]
    public void A_device_the_engine_cannot_compute_on_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TorchAttentionEngine(TorchAttentionMode.Explicit, torch.META));
        Assert.Equal("device", ex.ParamName);
    }
}
