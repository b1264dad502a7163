// Regenerates the course's derived data files from the packages they come from.
//   dotnet run --project tools/DataGen            writes data/word-vectors.csv
using AttentionVisually;
using AttentionVisually.RealModel;

var path = Path.Combine(CoursePaths.Data, "word-vectors.csv");
var words = WordVectorSource.Extract(MiniLm.Shared);
WordVectors.Save(path, words);
Console.WriteLine($"wrote {words.Count} word vectors of {words[0].Vector.Count} dimensions to {path}");
