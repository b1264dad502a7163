using AttentionVisually.SmallGpt;

namespace AttentionVisually.Tests;

public class TorchGptTrainingTests : IClassFixture<SmallGptFixture>
{
    private readonly SmallGptFixture shipped;

    public TorchGptTrainingTests(SmallGptFixture shipped) => this.shipped = shipped;

    [Fact]
    public void Two_runs_of_the_same_steps_give_identical_losses_and_weights()
    {
        var options = new GptTrainingOptions(Steps: 4, BatchSize: 4);

        var first = TorchGptTraining.Train(SmallGptConfig.Default, options);
        var second = TorchGptTraining.Train(SmallGptConfig.Default, options);

        Assert.Equal(4, first.Losses.Count);
        Assert.Equal(first.Losses, second.Losses);
        Assert.Equal(first.Weights.Blocks[0].WQkv, second.Weights.Blocks[0].WQkv);
    }

    [Fact]
    public void Another_seed_gives_other_losses()
    {
        var a = TorchGptTraining.Train(SmallGptConfig.Default, new GptTrainingOptions(Steps: 2, BatchSize: 4, Seed: 1));
        var b = TorchGptTraining.Train(SmallGptConfig.Default, new GptTrainingOptions(Steps: 2, BatchSize: 4, Seed: 2));

        Assert.NotEqual(a.Losses, b.Losses);
    }

    [Fact]
    public void Retraining_the_first_steps_of_the_shipped_run_reproduces_its_recorded_losses()
    {
        var options = GptTrainingOptions.FromMetadata(shipped.Metadata);
        var recorded = GptTrainingOptions.RecordedLosses(shipped.Metadata);

        var again = TorchGptTraining.Train(SmallGptConfig.Default, options, stopAfter: 8);

        // Bit for bit on the processor that trained it; another processor's libtorch kernels may round the last
        // digit differently (measured: 1e-7 relative over the first 60 steps), far below a step's change.
        Assert.Equal(options.Steps, recorded.Count);
        Assert.Equal(8, again.Losses.Count);
        Assert.All(again.Losses.Zip(recorded), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5 * p.Second,
            $"retrained loss {p.First} against recorded {p.Second}"));
    }

    [Fact]
    public void The_shipped_run_learned_its_final_loss_is_below_a_third_of_uniform_guessing()
    {
        var recorded = GptTrainingOptions.RecordedLosses(shipped.Metadata);
        double uniform = Math.Log(StoryGrammar.Vocabulary.Count);

        Assert.True(recorded.TakeLast(50).Average() < uniform / 3, $"final loss {recorded.TakeLast(50).Average():F3}, uniform {uniform:F3}");
        Assert.True(recorded[0] > uniform, $"first loss {recorded[0]:F3}: an untrained model should do no better than uniform");
    }

    [Fact]
    public void The_schedule_warms_up_then_decays_to_a_tenth()
    {
        var o = new GptTrainingOptions(Steps: 1000, LearningRate: 1e-3, WarmupSteps: 100);

        Assert.Equal(1e-5, o.LearningRateAt(0), 12);
        Assert.Equal(1e-3, o.LearningRateAt(99), 12);
        Assert.Equal(1e-4, o.LearningRateAt(1000), 12);
    }

    [Fact]
    public void Bad_options_and_a_wrong_vocabulary_are_named()
    {
        Assert.Contains("Steps", Assert.Throws<ArgumentOutOfRangeException>(() => new GptTrainingOptions(Steps: 0).Validate()).Message);
        Assert.Contains("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new GptTrainingOptions(LearningRate: double.NaN).Validate()).Message);
        var wrong = SmallGptConfig.Default with { VocabSize = 50 };
        Assert.Contains("vocabSize 50", Assert.Throws<ArgumentException>(() => TorchGptTraining.Train(wrong, new GptTrainingOptions(Steps: 1))).Message);
    }
}
