// exercise: 04.causal-mask
Matrix<float> MyCausalPattern(Matrix<float> scaledScores)
{
    // scaledScores: (n, n), stored (queries, keys); key j comes after query i when j > i
    var masked = scaledScores.Clone();
    for (int i = 0; i < masked.RowCount; i++)
        for (int j = i + 1; j < masked.ColumnCount; j++)
            masked[i, j] = float.NegativeInfinity; // before softmax: exp(−∞) = 0 and the rest still sums to 1
    return Softmax.OverKeys(masked);
}

// exercise: 04.memory-prediction
double? memoryFactor = 4; // n² entries: twice the context, four times the bytes

// exercise: 04.online-softmax
float[] MyOnlineAttention(float[] scores, Matrix<float> v, int blockSize)
{
    // scores: (numKeys) for one query; v: (numKeys, dV) → output (dV)
    double runningMax = double.NegativeInfinity, runningSum = 0;
    var output = new double[v.ColumnCount];
    for (int start = 0; start < scores.Length; start += blockSize)
    {
        int end = Math.Min(start + blockSize, scores.Length);
        double blockMax = runningMax;
        for (int j = start; j < end; j++) blockMax = Math.Max(blockMax, scores[j]);
        double rescale = double.IsNegativeInfinity(runningMax) ? 0 : Math.Exp(runningMax - blockMax);
        runningSum *= rescale;
        for (int d = 0; d < output.Length; d++) output[d] *= rescale;
        for (int j = start; j < end; j++)
        {
            double w = Math.Exp(scores[j] - blockMax);
            runningSum += w;
            for (int d = 0; d < output.Length; d++) output[d] += w * v[j, d];
        }
        runningMax = blockMax;
    }
    return output.Select(o => (float)(o / runningSum)).ToArray();
}
