namespace AttentionVisually.Tests;

/// <summary>The course's word vectors are the real model's token rows.</summary>
public class WordVectorSourceTests
{
    [Fact]
    public void The_data_file_holds_exactly_the_rows_of_the_model_token_table()
    {
        var file = WordVectors.Load();
        var extracted = WordVectorSource.Extract(MiniLm.Shared);
        Assert.Equal(extracted.Count, file.Count);
        foreach (var (word, vector) in extracted)
            Assert.Equal(vector, file[word]);
    }
}
