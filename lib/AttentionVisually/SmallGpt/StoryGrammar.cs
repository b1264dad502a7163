namespace AttentionVisually.SmallGpt;

/// <summary>The three things the small GPT's corpus teaches, each needing a different head.</summary>
public enum StoryTask
{
    /// <summary>"the fluffy old blue creature purrs": the verb after the noun depends on an adjective 1–4 words back.</summary>
    AdjectiveNoun,

    /// <summary>"… the knife belonged to carter . therefore the murderer was carter": the culprit is copied from the context.</summary>
    Mystery,

    /// <summary>"one morning at hogwarts harry cast …" vs "one morning at the palace harry greeted …": the name's meaning comes from its context.</summary>
    Harry,
}

/// <summary>Which part of the corpus a sentence belongs to.</summary>
public enum StorySplit
{
    /// <summary>Sentences the model trains on.</summary>
    Train,

    /// <summary>Sentences it never sees in training (about one in ten of the grammar's sentences).</summary>
    HeldOut,
}

/// <summary>
/// One generated sentence (or story) with what it tests: the word whose next token is scored, the
/// answers counted right, and the positions the analysis looks at. Positions index <see cref="Tokens"/>,
/// which starts with the <see cref="StoryGrammar.Bos"/> token.
/// </summary>
/// <param name="Task">Which task the sentence tests.</param>
/// <param name="Tokens">"&lt;s&gt;" followed by the sentence's words.</param>
/// <param name="QueryPosition">The position whose next-token prediction is scored (the noun, "was", "harry").</param>
/// <param name="Accepted">The next words counted right (one for the adjective and mystery tasks, a meaning's verbs for "harry").</param>
/// <param name="CuePosition">The position holding the answer's evidence: the meaningful adjective, the culprit's mention, or the wizard/royal cue word.</param>
/// <param name="Label">A short label: the adjective's class, the culprit, or "wizard"/"royal".</param>
/// <param name="Distractors">Positions of the other suspects' mentions (mystery), else empty.</param>
public sealed record StorySentence(StoryTask Task, IReadOnlyList<string> Tokens, int QueryPosition, IReadOnlySet<string> Accepted, int CuePosition, string Label, IReadOnlyList<int> Distractors)
{
    /// <summary>The sentence without the start token, words separated by spaces.</summary>
    public string Text => string.Join(' ', Tokens.Skip(1));

    /// <summary>Distance from the scored word back to its evidence (the adjective's distance from the noun, say).</summary>
    public int Distance => QueryPosition - CuePosition;
}

/// <summary>
/// The small documented grammar the course's GPT learns from. Every sentence belongs to one of three
/// <see cref="StoryTask"/>s; each is built so that predicting the scored word well needs the head the video
/// describes, and no shortcut (the previous word, a fixed position, the most frequent name) suffices:
/// <list type="bullet">
/// <item><b>Adjective → noun.</b> <c>the [filler] ADJ [filler…] NOUN VERB ADVERB .</c> The verb is fixed by the
/// meaningful adjective's class (fluffy/furry → purrs, scaly/slimy → hisses, feathered/winged → sings,
/// metal/clockwork → clanks); 0–3 neutral fillers (old, blue, …) sit between it and the noun, so the
/// adjective is 1–4 words back and the word before the noun is usually a filler.</item>
/// <item><b>Mystery.</b> A story opening with <c>the inspector found the body in the ROOM .</c>, then in a random
/// order a neutral mention (<c>N walked in the ROOM .</c>), a red herring named twice (<c>H had a motive .</c>,
/// <c>everyone suspected H .</c>) and the evidence (<c>the CLUE belonged to C .</c>), ending
/// <c>therefore the murderer was C .</c>: the culprit is the name after "belonged to", not the most frequent
/// nor the last name. Training batches also hold easier stories (the evidence and one other suspect); every story
/// <see cref="Sample"/> and <see cref="Sentences"/> return, and so every held-out story, has all three.</item>
/// <item><b>Harry.</b> <c>[opening] CUE harry VERB …</c> where the cue (at hogwarts, holding his wand, on his
/// broomstick, the wizard vs at the palace, wearing his crown, on his throne, the prince) decides whether harry
/// casts/brews/flies or greets/marries/waves. The cue's last word stands right before the name, unlike the
/// adjective, which usually hides behind fillers: the two tasks look back in different ways, so the head that
/// finds adjectives need not be the one that reads harry's context (with a filler between cue and name, trained
/// models tended to serve both with one head; data/README.md has the counts).</item>
/// </list>
/// The held-out split is a fixed tenth of the grammar's sentences, chosen by a stable hash of the text, so no
/// held-out sentence ever appears in training. All randomness comes from a seeded <see cref="Random"/>.
/// </summary>
public static class StoryGrammar
{
    /// <summary>The padding token (id 0); the loss ignores it.</summary>
    public const string Pad = "<pad>";

    /// <summary>The start token every sequence begins with (id 1).</summary>
    public const string Bos = "<s>";

    /// <summary>Meaningful adjectives and the verb their class makes the noun do.</summary>
    public static IReadOnlyList<(string Adjective, string Verb)> Adjectives { get; } =
    [
        ("fluffy", "purrs"), ("furry", "purrs"),
        ("scaly", "hisses"), ("slimy", "hisses"),
        ("feathered", "sings"), ("winged", "sings"),
        ("metal", "clanks"), ("clockwork", "clanks"),
    ];

    /// <summary>Adjectives that carry no information about the verb.</summary>
    public static IReadOnlyList<string> Fillers { get; } = ["old", "small", "big", "little", "young", "strange", "quiet", "blue", "green", "red", "grey", "pale", "tiny", "happy", "sleepy"];

    /// <summary>The nouns of the adjective task (the verb does not depend on them).</summary>
    public static IReadOnlyList<string> Nouns { get; } = ["creature", "beast", "animal", "pet", "thing"];

    /// <summary>What ends an adjective sentence.</summary>
    public static IReadOnlyList<string> Adverbs { get; } = ["softly", "loudly", "again", "slowly", "often"];

    /// <summary>The mystery's suspects.</summary>
    public static IReadOnlyList<string> Suspects { get; } = ["ashby", "blake", "carter", "dixon", "ellis", "foster", "grant", "hayes", "irving", "jensen"];

    /// <summary>The mystery's rooms.</summary>
    public static IReadOnlyList<string> Rooms { get; } = ["library", "kitchen", "garden", "cellar", "study", "hall"];

    /// <summary>The mystery's clues.</summary>
    public static IReadOnlyList<string> Clues { get; } = ["knife", "glove", "rope", "letter"];

    /// <summary>Context phrases that make harry a wizard; the last word of each is the cue, and it comes right before the name.</summary>
    public static IReadOnlyList<string> WizardCues { get; } = ["at hogwarts", "holding his wand", "on his broomstick", "the wizard"];

    /// <summary>Context phrases that make harry a prince.</summary>
    public static IReadOnlyList<string> RoyalCues { get; } = ["at the palace", "wearing his crown", "on his throne", "the prince"];

    /// <summary>What may open a harry sentence, before the cue (so the cue and the name sit at varying positions).</summary>
    public static IReadOnlyList<string> HarryOpenings { get; } = ["", "one morning", "that night", "again", "once more", "as always", "after dinner", "at dawn"];

    /// <summary>What a wizard harry does next.</summary>
    public static IReadOnlyList<string> WizardActions { get; } = ["cast a spell", "brewed a potion", "flew over the lake"];

    /// <summary>What a royal harry does next.</summary>
    public static IReadOnlyList<string> RoyalActions { get; } = ["greeted the guests", "married a duchess", "waved to the crowd"];

    /// <summary>The first word of each wizard action: the answers counted right after a wizard "harry".</summary>
    public static IReadOnlySet<string> WizardVerbs { get; } = WizardActions.Select(FirstWord).ToHashSet(StringComparer.Ordinal);

    /// <summary>The first word of each royal action.</summary>
    public static IReadOnlySet<string> RoyalVerbs { get; } = RoyalActions.Select(FirstWord).ToHashSet(StringComparer.Ordinal);

    private const string StoryOpening = "the inspector found the body in the";

    /// <summary>Every word of the grammar, in a fixed order: <see cref="Pad"/> (id 0), <see cref="Bos"/> (id 1), then the rest as first met.</summary>
    public static IReadOnlyList<string> Vocabulary { get; } = BuildVocabulary();

    private static readonly Dictionary<string, int> Ids = Vocabulary.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i, StringComparer.Ordinal);

    /// <summary>The id of a word.</summary>
    /// <param name="word">A word of <see cref="Vocabulary"/>.</param>
    /// <returns>Its index in <see cref="Vocabulary"/>.</returns>
    /// <exception cref="ArgumentException">The word is not in the vocabulary.</exception>
    public static int Id(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return Ids.TryGetValue(word, out int id) ? id
            : throw new ArgumentException($"word \"{word}\" is not in the grammar's vocabulary of {Vocabulary.Count} words.", nameof(word));
    }

    /// <summary>The ids of a list of words.</summary>
    /// <param name="words">Words of <see cref="Vocabulary"/>.</param>
    /// <returns>One id per word.</returns>
    /// <exception cref="ArgumentException">A word is not in the vocabulary.</exception>
    public static int[] Encode(IEnumerable<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        return words.Select(Id).ToArray();
    }

    /// <summary>Whether a sentence's text falls in the held-out tenth (a stable FNV-1a hash of the text).</summary>
    /// <param name="text">The sentence's words separated by spaces.</param>
    /// <returns>The split the sentence belongs to.</returns>
    public static StorySplit SplitOf(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 16777619;
        }
        return hash % 10 == 3 ? StorySplit.HeldOut : StorySplit.Train;
    }

    /// <summary>Draws one sentence of a task from a split.</summary>
    /// <param name="task">The task.</param>
    /// <param name="split">The split it must belong to (sentences of the other split are drawn again).</param>
    /// <param name="rng">The seeded source of randomness (advanced by the call).</param>
    /// <returns>The sentence.</returns>
    public static StorySentence Sample(StoryTask task, StorySplit split, Random rng) => SampleWith(task, split, rng, easierStories: false);

    private static StorySentence SampleWith(StoryTask task, StorySplit split, Random rng, bool easierStories)
    {
        ArgumentNullException.ThrowIfNull(rng);
        while (true)
        {
            StorySentence s = task switch
            {
                StoryTask.AdjectiveNoun => AdjectiveSentence(rng),
                StoryTask.Mystery => MysteryStory(rng, easierStories),
                StoryTask.Harry => HarrySentence(rng),
                _ => throw new ArgumentOutOfRangeException(nameof(task), task, "unknown task."),
            };
            if (SplitOf(s.Text) == split)
            {
                return s;
            }
        }
    }

    /// <summary>A fixed set of sentences of one task, the same for the same seed.</summary>
    /// <param name="task">The task.</param>
    /// <param name="split">The split.</param>
    /// <param name="count">How many sentences, at least 1.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The sentences.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    public static IReadOnlyList<StorySentence> Sentences(StoryTask task, StorySplit split, int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Sample(task, split, rng)).ToArray();
    }

    /// <summary>
    /// One training batch: each row starts with <see cref="Bos"/> and packs training sentences of random tasks
    /// (adjective 20 %, mystery 40 %, harry 20 %, roll calls 20 %) until the next would not fit; the rest is <see cref="Pad"/>.
    /// </summary>
    /// <param name="rng">The seeded source of randomness (advanced by the call).</param>
    /// <param name="batchSize">Rows, at least 1.</param>
    /// <param name="contextLength">Tokens per row, at least 40 (a mystery story must fit).</param>
    /// <returns>Inputs and targets, each (batchSize, contextLength) in row-major order; a target of -1 is ignored by the loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is too small.</exception>
    public static (long[] Inputs, long[] Targets) TrainingBatch(Random rng, int batchSize, int contextLength)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(contextLength, 40);
        var inputs = new long[batchSize * contextLength];
        var targets = new long[batchSize * contextLength];
        for (int b = 0; b < batchSize; b++)
        {
            var row = new List<int> { Id(Bos) };
            while (true)
            {
                double u = rng.NextDouble();
                var task = u < 0.2 ? StoryTask.AdjectiveNoun : u < 0.6 ? StoryTask.Mystery : StoryTask.Harry;
                var words = u >= 0.8 ? RollCall(rng) : SampleWith(task, StorySplit.Train, rng, easierStories: true).Tokens.Skip(1).ToArray();
                if (row.Count + words.Length > contextLength + 1)
                {
                    break;
                }
                row.AddRange(Encode(words));
            }
            // Row r holds tokens 0..n-1; input t predicts token t+1; padding and the last token predict nothing.
            for (int t = 0; t < contextLength; t++)
            {
                inputs[b * contextLength + t] = t < row.Count ? row[t] : Id(Pad);
                targets[b * contextLength + t] = t + 1 < row.Count ? row[t + 1] : -1;
            }
        }
        return (inputs, targets);
    }

    /// <summary>
    /// A roll call, "roll call : carter ellis blake . roll call : carter ellis blake .": its second half can only be
    /// predicted by copying names from context, the practice that makes copying heads form early in training
    /// (Olsson et al. 2022, repeated random sequences). Training text only; it is not scored.
    /// </summary>
    private static string[] RollCall(Random rng)
    {
        var names = Suspects.OrderBy(_ => rng.Next()).Take(3 + rng.Next(2)).ToArray();
        string[] half = ["roll", "call", ":", .. names, "."];
        return [.. half, .. half];
    }

    private static StorySentence AdjectiveSentence(Random rng)
    {
        var (adjective, verb) = Adjectives[rng.Next(Adjectives.Count)];
        int after = rng.Next(4);                      // fillers between the adjective and the noun: distance 1..4
        int before = after < 3 ? rng.Next(2) : 0;     // an optional filler before it, so its position varies too
        var fillers = Fillers.OrderBy(_ => rng.Next()).Take(before + after).ToArray();
        var words = new List<string> { Bos, "the" };
        words.AddRange(fillers.Take(before));
        int cue = words.Count;
        words.Add(adjective);
        words.AddRange(fillers.Skip(before));
        int query = words.Count;
        words.Add(Nouns[rng.Next(Nouns.Count)]);
        words.Add(verb);
        words.Add(Adverbs[rng.Next(Adverbs.Count)]);
        words.Add(".");
        return new StorySentence(StoryTask.AdjectiveNoun, words, query, new HashSet<string>(StringComparer.Ordinal) { verb }, cue, verb, []);
    }

    private static StorySentence MysteryStory(Random rng, bool easierStories)
    {
        // Half the training stories are easier: the evidence and one other suspect (the neutral one or the red
        // herring). None names the culprit alone: "copy the only name" needs no more than a first-block head that
        // looks at names, a shortcut that competes with the two-step circuit the full stories need (find the name
        // after "belonged to"); see data/README.md for what it did to training.
        bool easier = easierStories && rng.Next(2) == 0;
        bool withNeutral = !easier || rng.Next(2) == 0;
        bool withHerring = !easier || !withNeutral;
        var names = Suspects.OrderBy(_ => rng.Next()).Take(3).ToArray();
        string culprit = names[0], herring = names[1], neutral = names[2];
        var rooms = Rooms.OrderBy(_ => rng.Next()).Take(2).ToArray();
        string clue = Clues[rng.Next(Clues.Count)];
        string[][] middle =
        [
            [neutral, "walked", "in", "the", rooms[1], "."],
            [herring, "had", "a", "motive", "."],
            ["everyone", "suspected", herring, "."],
            ["the", clue, "belonged", "to", culprit, "."],
        ];
        var words = new List<string> { Bos };
        words.AddRange(StoryOpening.Split(' '));
        words.Add(rooms[0]);
        words.Add(".");
        bool[] keep = [withNeutral, withHerring, withHerring, true];
        foreach (var part in middle.Where((_, i) => keep[i]).OrderBy(_ => rng.Next()))
        {
            words.AddRange(part);
        }
        int cue = words.LastIndexOf(culprit);
        var distractors = words.Select((w, i) => (w, i)).Where(p => p.w == herring || p.w == neutral).Select(p => p.i).ToArray();
        words.AddRange(["therefore", "the", "murderer", "was"]);
        int query = words.Count - 1;
        words.Add(culprit);
        words.Add(".");
        return new StorySentence(StoryTask.Mystery, words, query, new HashSet<string>(StringComparer.Ordinal) { culprit }, cue, culprit, distractors);
    }

    private static StorySentence HarrySentence(Random rng)
    {
        bool wizard = rng.Next(2) == 0;
        var cues = wizard ? WizardCues : RoyalCues;
        var actions = wizard ? WizardActions : RoyalActions;
        var words = new List<string> { Bos };
        string opening = HarryOpenings[rng.Next(HarryOpenings.Count)];
        if (opening.Length > 0)
        {
            words.AddRange(opening.Split(' '));
        }
        words.AddRange(cues[rng.Next(cues.Count)].Split(' '));
        int cue = words.Count - 1;
        int query = words.Count;
        words.Add("harry");
        words.AddRange(actions[rng.Next(actions.Count)].Split(' '));
        words.Add(".");
        return new StorySentence(StoryTask.Harry, words, query, wizard ? WizardVerbs : RoyalVerbs, cue, wizard ? "wizard" : "royal", []);
    }

    private static string FirstWord(string phrase) => phrase.Split(' ')[0];

    private static IReadOnlyList<string> BuildVocabulary()
    {
        var words = new List<string> { Pad, Bos, "the", "." };
        IEnumerable<string> all = Adjectives.SelectMany(a => new[] { a.Adjective, a.Verb })
            .Concat(Fillers).Concat(Nouns).Concat(Adverbs)
            .Concat(StoryOpening.Split(' ')).Concat(Rooms).Concat(Suspects).Concat(Clues)
            .Concat("walked in had a motive everyone suspected belonged to therefore murderer was roll call :".Split(' '))
            .Concat(WizardCues.Concat(RoyalCues).Concat(HarryOpenings).Concat(WizardActions).Concat(RoyalActions).SelectMany(p => p.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .Append("harry");
        foreach (string w in all)
        {
            if (!words.Contains(w))
            {
                words.Add(w);
            }
        }
        return words;
    }
}
