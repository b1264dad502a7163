using System.Globalization;
using System.Text;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.SmallGpt;

/// <summary>A head found by measurement and what removing its Δe does to each task's held-out accuracy.</summary>
/// <param name="Head">The head.</param>
/// <param name="Lift">Its mean lift from the scored word to the evidence on held-out sentences (uniform = 1).</param>
/// <param name="AccuracyWithout">Held-out accuracy per task with the head's Δe removed.</param>
public sealed record FoundHead(HeadId Head, double Lift, IReadOnlyDictionary<StoryTask, double> AccuracyWithout);

/// <summary>
/// Everything the chapter claims about the trained small GPT, measured in one place on the fixed held-out
/// sentences (<see cref="GptProbe.HeldOut"/>): accuracy per task, the adjective → noun head and the culprit
/// head (found by lift, then ablated), the adjective head's behaviour on control sentences, and "harry" read
/// through the logit lens after each block. The training tool prints it; the tests assert it.
/// </summary>
/// <param name="Accuracy">Held-out accuracy per task.</param>
/// <param name="AdjectiveHead">The head with the largest adjective lift, and its ablation.</param>
/// <param name="AdjectiveHeadOnControls">On held-out adjective sentences with a filler before the noun: the head's mean weight on the adjective.</param>
/// <param name="PreviousTokenOnControls">On the same sentences: its mean weight on the word just before the noun.</param>
/// <param name="AdjectiveLifts">Every head's adjective lift, (numLayers, numHeads).</param>
/// <param name="CulpritHead">The head with the largest lift from "was" to the culprit's mention, and its ablation.</param>
/// <param name="CulpritLifts">Every head's culprit lift, (numLayers, numHeads).</param>
/// <param name="HarryWizardLean">Per residual (embeddings, then after each block): mean wizard-minus-royal logit at "harry" in wizard contexts.</param>
/// <param name="HarryRoyalLean">The same in royal contexts.</param>
public sealed record SmallGptFindings(
    IReadOnlyDictionary<StoryTask, double> Accuracy,
    FoundHead AdjectiveHead, double AdjectiveHeadOnControls, double PreviousTokenOnControls, Matrix<double> AdjectiveLifts,
    FoundHead CulpritHead, Matrix<double> CulpritLifts,
    IReadOnlyList<double> HarryWizardLean, IReadOnlyList<double> HarryRoyalLean)
{
    /// <summary>Every task, in the chapter's order.</summary>
    public static IReadOnlyList<StoryTask> Tasks { get; } = [StoryTask.AdjectiveNoun, StoryTask.Mystery, StoryTask.Harry];

    /// <summary>Measures everything on the fixed held-out sentences.</summary>
    /// <param name="model">The trained model.</param>
    /// <returns>The findings.</returns>
    public static SmallGptFindings Measure(SmallGptModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var heldOut = Tasks.ToDictionary(t => t, t => GptProbe.HeldOut(t));
        var accuracy = Tasks.ToDictionary(t => t, t => GptProbe.Accuracy(model, heldOut[t]));

        var adjectiveLifts = GptProbe.CueLift(model, heldOut[StoryTask.AdjectiveNoun]);
        var adjective = Found(model, heldOut, adjectiveLifts);
        var controls = Controls(heldOut[StoryTask.AdjectiveNoun]);
        double onAdjective = GptProbe.CueWeight(model, controls)[adjective.Head.Layer, adjective.Head.Head];
        double onPrevious = GptProbe.PreviousTokenWeight(model, controls)[adjective.Head.Layer, adjective.Head.Head];

        var culpritLifts = GptProbe.CueLift(model, heldOut[StoryTask.Mystery]);
        var culprit = Found(model, heldOut, culpritLifts);

        var harry = heldOut[StoryTask.Harry];
        return new SmallGptFindings(accuracy, adjective, onAdjective, onPrevious, adjectiveLifts, culprit, culpritLifts,
            HarryLean(model, harry.Where(s => s.Label == "wizard").ToArray()), HarryLean(model, harry.Where(s => s.Label == "royal").ToArray()));
    }

    /// <summary>Held-out adjective sentences whose noun follows a filler, so a previous-token head cannot see the adjective.</summary>
    /// <param name="sentences">Adjective sentences.</param>
    /// <returns>Those with the adjective two or more words back.</returns>
    public static IReadOnlyList<StorySentence> Controls(IReadOnlyList<StorySentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        return sentences.Where(s => s.Distance >= 2).ToArray();
    }

    /// <summary>
    /// The logit lens at "harry": for each residual (the embeddings, then after each block), the mean over the
    /// sentences of (mean logit of the wizard verbs − mean logit of the royal verbs) at the name's position.
    /// Positive leans wizard, negative royal.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="sentences">Harry sentences, at least one.</param>
    /// <returns>numLayers + 1 values.</returns>
    public static IReadOnlyList<double> HarryLean(SmallGptModel model, IReadOnlyList<StorySentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sentences);
        if (sentences.Count == 0)
            throw new ArgumentException("sentences is empty.", nameof(sentences));
        var wizard = StoryGrammar.WizardVerbs.Select(StoryGrammar.Id).ToArray();
        var royal = StoryGrammar.RoyalVerbs.Select(StoryGrammar.Id).ToArray();
        var lean = new double[model.Config.NumLayers + 1];
        foreach (var s in sentences)
        {
            var trace = model.Run(GptProbe.Prefix(s));
            for (int r = 0; r < lean.Length; r++)
            {
                var logits = model.Unembed(trace.Residuals[r]).Row(s.QueryPosition);
                lean[r] += wizard.Average(i => (double)logits[i]) - royal.Average(i => (double)logits[i]);
            }
        }
        return lean.Select(v => v / sentences.Count).ToArray();
    }

    /// <summary>
    /// The headline numbers as strings (round-trip precision), which the training tool stores in the
    /// checkpoint's metadata: accuracy per task, both heads, and the accuracies without each head.
    /// </summary>
    /// <returns>Key → value.</returns>
    public IReadOnlyDictionary<string, string> Summary()
    {
        string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var summary = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["adjective_head"] = AdjectiveHead.Head.ToString(),
            ["culprit_head"] = CulpritHead.Head.ToString(),
        };
        foreach (var t in Tasks)
        {
            summary[$"accuracy.{t}"] = R(Accuracy[t]);
            summary[$"accuracy_without_adjective_head.{t}"] = R(AdjectiveHead.AccuracyWithout[t]);
            summary[$"accuracy_without_culprit_head.{t}"] = R(CulpritHead.AccuracyWithout[t]);
        }
        return summary;
    }

    /// <summary>A plain-text summary, as the training tool prints it.</summary>
    /// <returns>Several lines.</returns>
    public string Report()
    {
        var text = new StringBuilder();
        string P(double v) => v.ToString("P1", CultureInfo.InvariantCulture);
        string F(double v) => v.ToString("F2", CultureInfo.InvariantCulture);
        text.AppendLine("held-out next-token accuracy: " + string.Join(", ", Tasks.Select(t => $"{t} {P(Accuracy[t])}")));
        foreach (var (label, found) in new[] { ("adjective -> noun head", AdjectiveHead), ("culprit head", CulpritHead) })
        {
            text.AppendLine($"{label}: {found.Head}, lift {F(found.Lift)}; accuracy without it: " +
                string.Join(", ", Tasks.Select(t => $"{t} {P(found.AccuracyWithout[t])}")));
        }
        text.AppendLine($"adjective head on controls (filler before the noun): {F(AdjectiveHeadOnControls)} on the adjective, {F(PreviousTokenOnControls)} on the previous word");
        text.AppendLine("harry, wizard-minus-royal logit after embeddings/blocks: wizard contexts " + string.Join(" ", HarryWizardLean.Select(F)) +
            "; royal contexts " + string.Join(" ", HarryRoyalLean.Select(F)));
        return text.ToString();
    }

    private static FoundHead Found(SmallGptModel model, Dictionary<StoryTask, IReadOnlyList<StorySentence>> heldOut, Matrix<double> lifts)
    {
        var head = GptProbe.Best(lifts);
        var without = Tasks.ToDictionary(t => t, t => GptProbe.Accuracy(model, heldOut[t], [head]));
        return new FoundHead(head, lifts[head.Layer, head.Head], without);
    }
}
