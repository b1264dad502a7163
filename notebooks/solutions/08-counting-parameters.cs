// exercise: 08.gpt2-attention
var gpt2Small = ModelCatalog.Get("GPT-2 small");
// 4 matrices per head, each HeadDim × DModel
double? gpt2Attention = 4.0 * gpt2Small.HeadDim * gpt2Small.DModel * gpt2Small.NumHeads * gpt2Small.NumLayers;
