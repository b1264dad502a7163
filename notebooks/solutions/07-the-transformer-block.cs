// exercise: 07.mlp-neurons
double? gpt3Neurons = 4.0 * ModelCatalog.Get("GPT-3 175B").DModel; // the hidden layer is 4 × d_model wide
