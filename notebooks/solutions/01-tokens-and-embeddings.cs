// exercise: 01.gpt2-table
var gpt2Config = ModelCatalog.Get("GPT-2 small");
double? gpt2TableSize = (double)gpt2Config.VocabSize * gpt2Config.DModel; // one row per token, one column per dimension
