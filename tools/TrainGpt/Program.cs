using System.Diagnostics;
using System.Globalization;
using AttentionVisually;
using AttentionVisually.SmallGpt;
using AttentionVisually.Torch;

// Trains the course's small GPT and writes the checkpoint the chapter analyses (see README.md):
//   dotnet run --project tools/TrainGpt -c Release                      -> data/small-gpt.safetensors
//   dotnet run --project tools/TrainGpt -c Release -- --steps 200 --out /tmp/x.safetensors
var options = new GptTrainingOptions();
var config = SmallGptConfig.Default;
string? measure = null;
string output = Path.Combine(CoursePaths.Data, "small-gpt.safetensors");
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--steps": options = options with { Steps = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--seed": options = options with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--out": output = Next(); break;
        case "--measure": measure = Next(); break;
        case "--embedding-std": options = options with { TokenEmbeddingStd = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--weight-decay": options = options with { WeightDecay = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--lr": options = options with { LearningRate = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--layers": config = config with { NumLayers = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--heads": config = config with { NumHeads = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--head-dim": config = config with { HeadDim = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; use --steps N, --seed N, --lr X, --weight-decay X, --embedding-std X, --layers N, --heads N, --head-dim N, --out FILE or --measure FILE.");
            return 2;
    }
}
if (measure is not null)
{
    // Measures an existing checkpoint (the shipped one by default) without training.
    var loaded = new SmallGptModel(GptWeights.Load(measure).Weights);
    Console.WriteLine(SmallGptFindings.Measure(loaded).Report());
    var roles = GptProbe.HeldOut(StoryTask.Mystery).GroupBy(s =>
    {
        string top = GptProbe.TopWord(loaded, s);
        return top == s.Label ? "culprit" : s.Distractors.Any(i => s.Tokens[i] == top) ? (s.Distractors.Count(i => s.Tokens[i] == top) == 2 ? "red herring" : "neutral suspect") : "another word";
    });
    Console.WriteLine("mystery answers: " + string.Join(", ", roles.Select(g => $"{g.Key} {g.Count()}")));
    return 0;
}
Console.WriteLine($"{config.Name}: vocab {config.VocabSize}, context {config.ContextLength}, dModel {config.DModel}, {config.NumHeads} heads of {config.HeadDim}, dFf {config.DFf}, {config.NumLayers} layers; {Sizing.Total(config):N0} parameters.");
Console.WriteLine($"training on {TorchDevices.Default}: {options.Steps} steps of {options.BatchSize} sequences, seed {options.Seed}.");
var clock = Stopwatch.StartNew();
var result = TorchGptTraining.Train(config, options, (step, loss) =>
{
    if (step % 100 == 0 || step == options.Steps - 1)
        Console.WriteLine($"step {step,5}  loss {loss:F4}  {clock.Elapsed.TotalSeconds,6:F1} s");
});
// The checkpoint records what the analysis measured on it, so a test can check that the file and the tool agree.
var findings = SmallGptFindings.Measure(new SmallGptModel(result.Weights));
var metadata = new Dictionary<string, string>(result.Metadata());
foreach (var (key, value) in findings.Summary())
{
    metadata[key] = value;
}
result.Weights.Save(output, metadata);
Console.WriteLine($"wrote {output} ({new FileInfo(output).Length / 1024} KiB) in {clock.Elapsed.TotalSeconds:F1} s.");
Console.WriteLine(findings.Report());
return 0;
