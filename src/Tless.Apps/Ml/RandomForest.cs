namespace Tless.Apps.Ml;

/// <summary>A binary decision tree in flat arrays. Node 0 is the root; an internal node sends a sample with
/// feature[<see cref="Feature"/>] &lt;= <see cref="Threshold"/> to <see cref="Left"/>, else to <see cref="Right"/>;
/// a leaf has Feature -1 and predicts <see cref="Label"/>. Children always have larger indices than their parent.</summary>
public sealed record DecisionTree
{
    public required int[] Feature { get; init; }

    public required float[] Threshold { get; init; }

    public required int[] Left { get; init; }

    public required int[] Right { get; init; }

    public required int[] Label { get; init; }

    public int Predict(ReadOnlySpan<float> features)
    {
        var node = 0;
        while (Feature[node] >= 0)
        {
            node = features[Feature[node]] <= Threshold[node] ? Left[node] : Right[node];
        }

        return Label[node];
    }

    /// <summary>Checks that the arrays form a tree over <paramref name="features"/> features and
    /// <paramref name="classes"/> classes (so that prediction always terminates).</summary>
    public void Validate(int features, int classes, string input)
    {
        var n = Feature?.Length ?? 0;
        if (n == 0 || Threshold is null || Left is null || Right is null || Label is null
            || Threshold.Length != n || Left.Length != n || Right.Length != n || Label.Length != n)
        {
            throw new AppDataException(input, 0, "decision tree arrays are missing or of different lengths");
        }

        for (var i = 0; i < n; i++)
        {
            var ok = Feature![i] < 0
                ? Label[i] >= 0 && Label[i] < classes
                : Feature[i] < features && Left[i] > i && Left[i] < n && Right[i] > i && Right[i] < n && !float.IsNaN(Threshold[i]);
            if (!ok)
            {
                throw new AppDataException(input, 0, $"decision tree node {i} is malformed");
            }
        }
    }
}

/// <summary>One forest: the trees and the seed they were grown from.</summary>
public sealed record RandomForestModel
{
    public required int Seed { get; init; }

    public required IReadOnlyList<DecisionTree> Trees { get; init; }
}

/// <summary>Random-forest settings. <see cref="FeaturesPerSplit"/> 0 means round(sqrt(features)).</summary>
public sealed record ForestOptions
{
    public int Trees { get; init; } = 12;

    public int MaxDepth { get; init; } = 16;

    public int MinSamplesSplit { get; init; } = 2;

    public int FeaturesPerSplit { get; init; }

    public int Seed { get; init; } = 42;
}

/// <summary>
/// A deterministic random forest (Breiman): each tree grows on a bootstrap sample with CART Gini splits over a random
/// subset of the features at every node. All randomness comes from <see cref="Random"/> seeded with
/// <see cref="ForestOptions.Seed"/> (a fixed algorithm for a given seed), so the same seed and data give the same forest.
/// </summary>
public static class RandomForest
{
    /// <summary>Grows a forest on <paramref name="features"/> (count x width, row-major) with labels in 0..classes-1.</summary>
    public static RandomForestModel Train(float[] features, int width, byte[] labels, int classes, ForestOptions options)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Trees, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDepth, 0);
        var count = labels.Length;
        if (count == 0 || features.Length != count * width)
        {
            throw new ArgumentException($"{features.Length} features for {count} samples of width {width}", nameof(features));
        }

        if (labels.Any(l => l >= classes))
        {
            throw new ArgumentException($"labels must be below {classes}", nameof(labels));
        }

        var random = new Random(options.Seed);
        var perSplit = options.FeaturesPerSplit > 0 ? Math.Min(options.FeaturesPerSplit, width) : Math.Max(1, (int)Math.Round(Math.Sqrt(width)));
        var trees = new List<DecisionTree>(options.Trees);
        for (var t = 0; t < options.Trees; t++)
        {
            var sample = new int[count];
            for (var i = 0; i < count; i++)
            {
                sample[i] = random.Next(count);
            }

            var builder = new TreeBuilder(features, width, labels, classes, perSplit, options, random);
            trees.Add(builder.Build(sample));
        }

        return new RandomForestModel { Seed = options.Seed, Trees = trees };
    }

    /// <summary>Majority vote of every tree of every forest (ties go to the lowest class).</summary>
    public static int Predict(IEnumerable<RandomForestModel> forests, ReadOnlySpan<float> features, int classes)
    {
        ArgumentNullException.ThrowIfNull(forests);
        Span<int> votes = stackalloc int[classes];
        foreach (var forest in forests)
        {
            foreach (var tree in forest.Trees)
            {
                votes[tree.Predict(features)]++;
            }
        }

        var best = 0;
        for (var c = 1; c < classes; c++)
        {
            if (votes[c] > votes[best])
            {
                best = c;
            }
        }

        return best;
    }

    private sealed class TreeBuilder(float[] x, int width, byte[] y, int classes, int perSplit, ForestOptions options, Random random)
    {
        private readonly List<int> _feature = [];
        private readonly List<float> _threshold = [];
        private readonly List<int> _left = [];
        private readonly List<int> _right = [];
        private readonly List<int> _label = [];
        private readonly int[] _candidates = Enumerable.Range(0, width).ToArray();
        private float[] _keys = [];
        private byte[] _values = [];

        public DecisionTree Build(int[] sample)
        {
            _keys = new float[sample.Length];
            _values = new byte[sample.Length];
            Grow(sample, 0, sample.Length, 0);
            return new DecisionTree
            {
                Feature = [.. _feature],
                Threshold = [.. _threshold],
                Left = [.. _left],
                Right = [.. _right],
                Label = [.. _label],
            };
        }

        private int Grow(int[] idx, int lo, int hi, int depth)
        {
            var node = _feature.Count;
            _feature.Add(-1);
            _threshold.Add(0);
            _left.Add(-1);
            _right.Add(-1);
            _label.Add(0);

            var counts = new int[classes];
            for (var i = lo; i < hi; i++)
            {
                counts[y[idx[i]]]++;
            }

            var majority = 0;
            for (var c = 1; c < classes; c++)
            {
                if (counts[c] > counts[majority])
                {
                    majority = c;
                }
            }

            _label[node] = majority;
            var n = hi - lo;
            if (depth >= options.MaxDepth || n < options.MinSamplesSplit || counts[majority] == n)
            {
                return node;
            }

            var (feature, threshold) = BestSplit(idx, lo, hi, counts);
            if (feature < 0)
            {
                return node;
            }

            // Partition idx[lo..hi) into <= threshold and > threshold.
            var mid = lo;
            for (var i = lo; i < hi; i++)
            {
                if (x[(idx[i] * width) + feature] <= threshold)
                {
                    (idx[i], idx[mid]) = (idx[mid], idx[i]);
                    mid++;
                }
            }

            _feature[node] = feature;
            _threshold[node] = threshold;
            _left[node] = Grow(idx, lo, mid, depth + 1);
            _right[node] = Grow(idx, mid, hi, depth + 1);
            return node;
        }

        private (int Feature, float Threshold) BestSplit(int[] idx, int lo, int hi, int[] totals)
        {
            var n = hi - lo;

            // Partial Fisher-Yates: the first perSplit candidates are a uniform random subset.
            for (var i = 0; i < perSplit; i++)
            {
                var j = i + random.Next(width - i);
                (_candidates[i], _candidates[j]) = (_candidates[j], _candidates[i]);
            }

            double parentScore = 0;
            foreach (var c in totals)
            {
                parentScore += (double)c * c;
            }

            parentScore /= n;
            var bestScore = parentScore + 1e-12;
            var bestFeature = -1;
            var bestThreshold = 0f;
            var left = new int[classes];
            for (var k = 0; k < perSplit; k++)
            {
                var f = _candidates[k];
                for (var i = 0; i < n; i++)
                {
                    _keys[i] = x[(idx[lo + i] * width) + f];
                    _values[i] = y[idx[lo + i]];
                }

                Array.Sort(_keys, _values, 0, n);
                if (_keys[0] == _keys[n - 1])
                {
                    continue;
                }

                Array.Clear(left);
                double leftSquares = 0, rightSquares = 0;
                foreach (var c in totals)
                {
                    rightSquares += (double)c * c;
                }

                for (var i = 0; i < n - 1; i++)
                {
                    // Moving one sample of class c from right to left updates the sums of squared counts in O(1).
                    int c = _values[i];
                    var rightCount = totals[c] - left[c];
                    leftSquares += (2.0 * left[c]) + 1;
                    rightSquares -= (2.0 * rightCount) - 1;
                    left[c]++;
                    if (_keys[i] == _keys[i + 1])
                    {
                        continue;
                    }

                    var nl = i + 1;
                    var score = (leftSquares / nl) + (rightSquares / (n - nl));
                    if (score > bestScore)
                    {
                        bestScore = score;
                        bestFeature = f;
                        var mid = (float)((_keys[i] + (double)_keys[i + 1]) / 2);
                        bestThreshold = mid < _keys[i + 1] ? mid : _keys[i];
                    }
                }
            }

            return (bestFeature, bestThreshold);
        }
    }
}
