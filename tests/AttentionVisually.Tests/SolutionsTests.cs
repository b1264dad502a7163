using AttentionVisually.Lesson;
using MathNet.Numerics.LinearAlgebra;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace AttentionVisually.Tests;

/// <summary>
/// The reference solutions (notebooks/solutions, copied next to the tests) compile as the chapters' kernel
/// compiles a cell, C# script, and pass their checks; every exercise of the course has exactly one block.
/// </summary>
[Collection(ExerciseBookCollection.Name)]
public class SolutionsTests
{
    private static readonly ScriptOptions Options = ScriptOptions.Default
        .AddReferences(typeof(Exercises).Assembly, typeof(Matrix<float>).Assembly)
        .AddImports("System", "System.Linq", "System.Collections.Generic", "MathNet.Numerics.LinearAlgebra", "AttentionVisually", "AttentionVisually.Lesson");

    public SolutionsTests() => ExerciseBook.Reset();

    private static Dictionary<string, string> Blocks()
    {
        var blocks = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "solutions"), "*.cs"))
        {
            string? id = null;
            foreach (var line in File.ReadAllLines(file))
            {
                if (line.StartsWith("// exercise: ", StringComparison.Ordinal))
                {
                    id = line["// exercise: ".Length..].Trim();
                    Assert.True(blocks.TryAdd(id, line + "\n"), $"{id} has two blocks");
                    Assert.StartsWith(Path.GetFileName(file)[..2] + ".", id);
                }
                else if (id is not null) blocks[id] += line + "\n";
            }
        }
        return blocks;
    }

    private static T Evaluate<T>(string id, string tail) => CSharpScript.EvaluateAsync<T>(Blocks()[id] + tail, Options).GetAwaiter().GetResult();

    [Fact]
    public void Every_exercise_of_the_course_has_one_reference_solution()
    {
        Assert.Equal(ExerciseBook.Ids.Order(StringComparer.Ordinal), Blocks().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_build_it_solutions_pass_their_checks()
    {
        var results = new[]
        {
            Exercises.Scores.Check(Evaluate<Func<Matrix<float>, Matrix<float>, Matrix<float>>>("02.scores", "(Func<Matrix<float>, Matrix<float>, Matrix<float>>)MyScores")),
            Exercises.Softmax.Check(Evaluate<Func<Matrix<float>, int, float, Matrix<float>>>("03.softmax", "(Func<Matrix<float>, int, float, Matrix<float>>)MySoftmax")),
            Exercises.CausalMask.Check(Evaluate<Func<Matrix<float>, Matrix<float>>>("04.causal-mask", "(Func<Matrix<float>, Matrix<float>>)MyCausalPattern")),
            Exercises.OnlineSoftmax.Check(Evaluate<Func<float[], Matrix<float>, int, float[]>>("04.online-softmax", "(Func<float[], Matrix<float>, int, float[]>)MyOnlineAttention")),
            Exercises.Update.Check(Evaluate<Func<Matrix<float>, Matrix<float>, Matrix<float>, Matrix<float>>>("05.update", "(Func<Matrix<float>, Matrix<float>, Matrix<float>, Matrix<float>>)MyUpdate")),
            Exercises.MultiHead.Check(Evaluate<Func<MultiHeadAttention, Matrix<float>, Mask?, Matrix<float>>>("06.multi-head", "(Func<MultiHeadAttention, Matrix<float>, Mask?, Matrix<float>>)MyBlockDeltaE")),
        };
        Assert.All(results, r => Assert.StartsWith("✅", r));
    }

    [Fact]
    public void The_worked_out_answers_match_the_library()
    {
        var gpt2 = ModelCatalog.Get("GPT-2 small");
        Assert.StartsWith("✅", Answers.QueriesAxis(Evaluate<string?>("00.queries-axis", "queriesAxis")));
        Assert.Equal(Sizing.Breakdown(gpt2).Single(p => p.Part == "token embedding").Parameters, Evaluate<double?>("01.gpt2-table", "gpt2TableSize"));
        Assert.Equal(Sizing.AllAttention(gpt2), Evaluate<double?>("08.gpt2-attention", "gpt2Attention"));
        Assert.Equal(4, Evaluate<double?>("04.memory-prediction", "memoryFactor"));
        Assert.Equal(Math.Round(2048.0 * 2049 / (1024.0 * 1025)), Evaluate<double?>("09.pair-growth", "pairGrowth"));
    }
}
