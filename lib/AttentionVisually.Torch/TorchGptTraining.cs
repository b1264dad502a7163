using System.Globalization;
using AttentionVisually.SmallGpt;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionVisually.Torch;

/// <summary>How the small GPT is trained; the defaults made the shipped checkpoint.</summary>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="BatchSize">Sequences per step.</param>
/// <param name="LearningRate">AdamW's peak learning rate (linear warm-up, then cosine decay to a tenth).</param>
/// <param name="WarmupSteps">Steps of linear warm-up.</param>
/// <param name="WeightDecay">AdamW's decoupled weight decay (GPT-3's 0.1).</param>
/// <param name="Seed">Seeds both the corpus sampler and TorchSharp's generator (initialisation).</param>
/// <param name="Threads">libtorch CPU threads during training; fixed so that the same run gives the same losses.</param>
/// <param name="TokenEmbeddingStd">Standard deviation of the token table's initial values (GPT-2: 0.02). Larger keeps the
/// suspects' names distinguishable while their shared "a name comes next" direction grows, which copying a name needs.</param>
public sealed record GptTrainingOptions(int Steps = 2000, int BatchSize = 32, double LearningRate = 1e-2, int WarmupSteps = 100, double WeightDecay = 0.1, int Seed = 3, int Threads = 1, double TokenEmbeddingStd = 0.3)
{
    /// <summary>Checks every value.</summary>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public GptTrainingOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Steps, 1, nameof(Steps));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(WarmupSteps, nameof(WarmupSteps));
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1, nameof(Threads));
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "the learning rate must be positive and finite.");
        if (!(TokenEmbeddingStd > 0) || !double.IsFinite(TokenEmbeddingStd))
            throw new ArgumentOutOfRangeException(nameof(TokenEmbeddingStd), TokenEmbeddingStd, "the embedding's standard deviation must be positive and finite.");
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay))
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "weight decay must be finite and not negative.");
        return this;
    }

    /// <summary>The options a checkpoint was trained with, read from its metadata (<see cref="GptTrainingResult.Metadata"/>).</summary>
    /// <param name="metadata">The checkpoint's metadata.</param>
    /// <returns>The options.</returns>
    /// <exception cref="InvalidDataException">A setting is missing or not a number; the message names it.</exception>
    public static GptTrainingOptions FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        string Get(string key) => metadata.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"the checkpoint's metadata lacks \"{key}\".");
        int I(string key) => int.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new InvalidDataException($"metadata \"{key}\" = \"{Get(key)}\" is not an integer.");
        double D(string key) => double.TryParse(Get(key), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : throw new InvalidDataException($"metadata \"{key}\" = \"{Get(key)}\" is not a number.");
        return new GptTrainingOptions(I("steps"), I("batch_size"), D("learning_rate"), I("warmup_steps"), D("weight_decay"), I("seed"), I("threads"), D("token_embedding_std")).Validate();
    }

    /// <summary>The per-step losses a checkpoint recorded.</summary>
    /// <param name="metadata">The checkpoint's metadata.</param>
    /// <returns>One loss per step.</returns>
    /// <exception cref="InvalidDataException">The losses are missing or not numbers.</exception>
    public static IReadOnlyList<float> RecordedLosses(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue("losses", out var text))
            throw new InvalidDataException("the checkpoint's metadata lacks \"losses\".");
        return text.Split(',').Select(v => float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out float f) ? f
            : throw new InvalidDataException($"metadata \"losses\" holds \"{v}\", which is not a number.")).ToArray();
    }

    /// <summary>The learning rate at a step: linear warm-up to <see cref="LearningRate"/>, then cosine decay to a tenth of it.</summary>
    /// <param name="step">The step, 0-based.</param>
    /// <returns>The learning rate.</returns>
    public double LearningRateAt(int step)
    {
        if (step < WarmupSteps)
        {
            return LearningRate * (step + 1) / WarmupSteps;
        }
        double progress = Steps <= WarmupSteps ? 1 : (double)(step - WarmupSteps) / (Steps - WarmupSteps);
        return LearningRate * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}

/// <summary>The outcome of a training run.</summary>
/// <param name="Weights">The trained weights.</param>
/// <param name="Losses">The mean next-token cross-entropy of each step's batch (nats).</param>
/// <param name="Device">The device it trained on ("cpu" or "cuda").</param>
/// <param name="Options">The options used.</param>
public sealed record GptTrainingResult(GptWeights Weights, IReadOnlyList<float> Losses, string Device, GptTrainingOptions Options)
{
    /// <summary>What the checkpoint records about the run: the options, the device and every step's loss.</summary>
    /// <returns>Key → value, for the safetensors header.</returns>
    public IReadOnlyDictionary<string, string> Metadata()
    {
        string S(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = "course-gpt/1",
            ["vocabulary"] = string.Join(' ', StoryGrammar.Vocabulary),
            ["steps"] = Options.Steps.ToString(CultureInfo.InvariantCulture),
            ["batch_size"] = Options.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["learning_rate"] = S(Options.LearningRate),
            ["warmup_steps"] = Options.WarmupSteps.ToString(CultureInfo.InvariantCulture),
            ["weight_decay"] = S(Options.WeightDecay),
            ["seed"] = Options.Seed.ToString(CultureInfo.InvariantCulture),
            ["threads"] = Options.Threads.ToString(CultureInfo.InvariantCulture),
            ["token_embedding_std"] = S(Options.TokenEmbeddingStd),
            ["device"] = Device,
            ["losses"] = string.Join(',', Losses.Select(l => l.ToString("R", CultureInfo.InvariantCulture))),
        };
    }
}

/// <summary>
/// Trains the small GPT with TorchSharp: batches from <see cref="StoryGrammar.TrainingBatch"/>, next-token
/// cross-entropy (padding ignored), AdamW, GPT-2's initialisation, gradient clipping at norm 1. Seeded: the same
/// options on the same CPU give the same losses, step for step. The device is <see cref="TorchDevices.Default"/>.
/// </summary>
public static class TorchGptTraining
{
    /// <summary>Trains a model from scratch.</summary>
    /// <param name="config">The model's sizes; its vocabulary must be <see cref="StoryGrammar.Vocabulary"/>.</param>
    /// <param name="options">How to train.</param>
    /// <param name="progress">Called after every step with the step (0-based) and its loss; null for none.</param>
    /// <param name="stopAfter">Run only the first this many steps of the schedule (a prefix of the full run, same losses); null for all.</param>
    /// <returns>The weights and the losses.</returns>
    /// <exception cref="ArgumentException">The vocabulary size differs from the grammar's, or the context is shorter than 40.</exception>
    /// <exception cref="TorchUnavailableException">TorchSharp's natives could not be loaded.</exception>
    public static GptTrainingResult Train(TransformerConfig config, GptTrainingOptions options, Action<int, float>? progress = null, int? stopAfter = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (config.VocabSize != StoryGrammar.Vocabulary.Count)
            throw new ArgumentException($"config has vocabSize {config.VocabSize} but the grammar has {StoryGrammar.Vocabulary.Count} words.", nameof(config));
        if (config.ContextLength < 40)
            throw new ArgumentException($"config has contextLength {config.ContextLength}; a mystery story needs 40.", nameof(config));
        if (stopAfter is < 1)
            throw new ArgumentOutOfRangeException(nameof(stopAfter), stopAfter, "stopAfter must be at least 1 step.");
        int steps = Math.Min(stopAfter ?? options.Steps, options.Steps);
        TorchRuntime.EnsureAvailable();
        var device = TorchDevices.Default;
        int threadsBefore = get_num_threads();
        set_num_threads(options.Threads);
        try
        {
            random.manual_seed(options.Seed);
            using var model = new TorchGptModel(config, device);
            TorchGptWeights.InitializeLikeGpt2(model, options.TokenEmbeddingStd);
            using var optimizer = optim.AdamW(model.parameters(), lr: options.LearningRate, beta1: 0.9, beta2: 0.95, weight_decay: options.WeightDecay);
            var rng = new Random(options.Seed);
            var losses = new List<float>(options.Steps);
            for (int step = 0; step < steps; step++)
            {
                using var scope = NewDisposeScope();
                foreach (var group in optimizer.ParamGroups)
                {
                    group.LearningRate = options.LearningRateAt(step);
                }
                var (inputs, targets) = StoryGrammar.TrainingBatch(rng, options.BatchSize, config.ContextLength);
                var x = tensor(inputs, [options.BatchSize, config.ContextLength], ScalarType.Int64, device);  // (batch, seqLen)
                var y = tensor(targets, [options.BatchSize * config.ContextLength], ScalarType.Int64, device); // (batch seqLen)
                optimizer.zero_grad();
                var logits = model.forward(x).view(-1, config.VocabSize);                                    // (batch seqLen, vocab)
                var loss = nn.functional.cross_entropy(logits, y, ignore_index: -1);
                loss.backward();
                nn.utils.clip_grad_norm_(model.parameters(), 1.0);
                optimizer.step();
                float value = loss.item<float>();
                losses.Add(value);
                progress?.Invoke(step, value);
            }
            model.eval();
            return new GptTrainingResult(TorchGptWeights.ToWeights(model, config), losses, device.type == DeviceType.CUDA ? "cuda" : "cpu", options);
        }
        finally
        {
            set_num_threads(threadsBefore);
        }
    }
}
