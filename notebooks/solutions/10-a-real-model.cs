// exercise: 10.pattern-count
double? patternCount = 6 * 12; // one pattern per head per layer: 6 layers × 12 heads
